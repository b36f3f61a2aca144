/** Series for the PACS tests and reading what the node or the app stored back (Orthanc REST). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticSeries } from '../e2e/helpers/synthetic';
import type { Orthanc } from './orthanc';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** A real head & neck CT (TCIA HNSCC, downsampled to 64 x 64, 123 slices); not there without ../shared/data. */
export const HNSCC_CT = resolve(
  REPO,
  '../shared/data/real/hnscc-rtai/HNSCC/HNSCC-01-0002/11-20-2001-RT SIMULATION-57976/2.000000-57922',
);
export const HNSCC_CT_SERIES = '1.3.6.1.4.1.14519.5.2.1.1706.8040.567721318454427129725747157922';
export const HAVE_HNSCC = existsSync(HNSCC_CT);

/**
 * The real HNSCC CT when ../shared/data is there, else a generated phantom CT of the same length in its own
 * study (a clone without the data still runs the PACS tests); returns its series UID.
 */
export async function uploadRealOrPhantom(pacs: Orthanc, k: number): Promise<string> {
  if (!HAVE_HNSCC) return uploadSynthetic(pacs, k, { slices: 40, description: 'Phantom CT (no ../shared/data)' });
  await pacs.uploadFolder(HNSCC_CT);
  return HNSCC_CT_SERIES;
}

/** Uploads a generated phantom CT in its own study; returns its series UID. */
export async function uploadSynthetic(
  pacs: Orthanc,
  k: number,
  o: { slices?: number; description?: string; matrix?: number } = {},
): Promise<string> {
  const seriesUID = `1.2.826.0.1.3680043.10.99.${k}.1`;
  for (const f of syntheticSeries({
    cols: o.matrix ?? 64,
    rows: o.matrix ?? 64,
    slices: o.slices ?? 16,
    pixelMm: 5,
    sliceMm: 5,
    seriesUID,
    studyUID: `1.2.826.0.1.3680043.10.99.${k}`,
    patientName: `Phantom^Number${k}`,
    patientID: `PH-${k}`,
    studyDate: `202501${String(((k - 1) % 28) + 1).padStart(2, '0')}`, // a valid DA for any k
    description: o.description ?? `Phantom CT ${k}`,
  }))
    await pacs.upload(f.buffer);
  return seriesUID;
}

type Tags = Record<string, unknown>;

/** CT series UID -> SOP UIDs of the RTSTRUCTs on the PACS that reference it. */
export async function rtstructsBySeries(pacs: Orthanc): Promise<Map<string, string[]>> {
  const r = await pacs.rest('/tools/find', {
    method: 'POST',
    body: JSON.stringify({ Level: 'Instance', Query: { Modality: 'RTSTRUCT' } }),
  });
  const ids = (await r.json()) as string[];
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const t = (await (await pacs.rest(`/instances/${id}/tags?simplify`)).json()) as Tags;
    const frame = (t.ReferencedFrameOfReferenceSequence as Tags[])[0];
    const study = (frame.RTReferencedStudySequence as Tags[])[0];
    const series = String((study.RTReferencedSeriesSequence as Tags[])[0].SeriesInstanceUID);
    out.set(series, [...(out.get(series) ?? []), String(t.SOPInstanceUID)]);
  }
  return out;
}

/** The stored file of an instance (by SOP UID). */
export async function instanceFile(pacs: Orthanc, sopUID: string): Promise<Uint8Array> {
  const ids = (await (await pacs.rest('/tools/lookup', { method: 'POST', body: sopUID })).json()) as { ID: string }[];
  return new Uint8Array(await (await pacs.rest(`/instances/${ids[0].ID}/file`)).arrayBuffer());
}

export const tinyModel = join(REPO, 'tests/fixtures/models/tiny-random');

/** The stored files of every instance of a series (by Series Instance UID). */
export async function seriesFiles(pacs: Orthanc, seriesUID: string): Promise<Uint8Array[]> {
  const r = await pacs.rest('/tools/find', {
    method: 'POST',
    body: JSON.stringify({ Level: 'Instance', Query: { SeriesInstanceUID: seriesUID } }),
  });
  const ids = (await r.json()) as string[];
  return Promise.all(ids.map(async (id) => new Uint8Array(await (await pacs.rest(`/instances/${id}/file`)).arrayBuffer())));
}
