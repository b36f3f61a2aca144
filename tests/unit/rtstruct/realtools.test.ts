/**
 * The exported RTSTRUCT checked with the real tools (DESIGN 3.6): dciodvfy reports no errors, plastimatch
 * rasterises it back onto the CT grid with DSC >= 0.97 per organ of 1 ml or more, and dcmjs reads back the ROI
 * names, colours, contour counts and referenced CT images, every contour lying exactly on its slice's z.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { extractContours } from '../../../src/contours';
import type { CtVolume } from '../../../src/volume/volume';
import { organByChannel } from '../../../src/organs';
import { buildRtStruct, organRois } from '../../../src/rtstruct';
import { ctGeometry, hnsccCases } from './ct';
import { handmadeLabels } from './handmade';
import { ctSliceZByUid, DCIODVFY, dciodvfy, PLASTIMATCH, plastimatchRasterize } from './tools';

const hnscc = hnsccCases().find((c) => c.patient === 'HNSCC-01-0002');
const haveTools = existsSync(DCIODVFY) && existsSync(PLASTIMATCH);
const skipReason = !hnscc
  ? 'skipped: ../shared/data/real/hnscc-rtai is absent'
  : !haveTools
    ? 'skipped: dciodvfy (dicom3tools) or plastimatch not installed (apt-get install dicom3tools plastimatch)'
    : '';

function exportFile(volume: CtVolume, labels: Uint8Array): { file: string; bytes: Uint8Array } {
  const r = buildRtStruct(volume, organRois(extractContours(volume, labels)), { date: new Date(2024, 0, 2, 10, 15, 0) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rs-'));
  const file = path.join(dir, 'RS.dcm');
  writeFileSync(file, r.bytes);
  return { file, bytes: r.bytes };
}

function naturalized(bytes: Uint8Array): NaturalDataset {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

function dsc(a: Uint8Array, b: Uint8Array): { dsc: number; na: number; nb: number } {
  let na = 0;
  let nb = 0;
  let both = 0;
  for (let n = 0; n < a.length; n++) {
    if (a[n]) na++;
    if (b[n]) nb++;
    if (a[n] && b[n]) both++;
  }
  return { dsc: na + nb ? (2 * both) / (na + nb) : 1, na, nb };
}

describe.skipIf(!!skipReason)(`RTSTRUCT on the real HNSCC-01-0002 CT grid (64x64x123) ${skipReason}`, () => {
  const { volume, files } = ctGeometry(hnscc!.ctDir);
  const { labels, organs } = handmadeLabels(volume);
  const { file, bytes } = exportFile(volume, labels);

  it('passes dciodvfy without errors', () => {
    const v = dciodvfy(file);
    expect(v.output).toMatch(/RTStructureSet/);
    expect(v.errors).toEqual([]);
  });

  it('plastimatch rasterises it back with DSC >= 0.97 for every organ of 1 ml or more', () => {
    const { masks, grid } = plastimatchRasterize(file, hnscc!.ctDir, volume);
    expect(grid).toBe('fixed'); // plastimatch read the CT itself
    const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
    const report: string[] = [];
    for (const o of organs) {
      const name = organByChannel(o.channel)!.tg263;
      const truth = labels.map((v) => (v === o.channel ? 1 : 0));
      const back = masks.get(name);
      expect(back, `plastimatch wrote no mask for ${name}`).toBeDefined();
      const d = dsc(truth, back!);
      report.push(`${name} ${(d.na * voxelMl).toFixed(2)} ml DSC ${d.dsc.toFixed(4)}`);
      if (d.na * voxelMl >= 1) expect(d.dsc, name).toBeGreaterThanOrEqual(0.97);
    }
    console.log(`plastimatch round trip, HNSCC-01-0002 grid: ${report.join('; ')}`);
  });

  it('dcmjs reads back names, colours, contour counts and referenced CT images; contours lie on their slice z', () => {
    const ds = naturalized(bytes);
    expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.481.3');
    expect(ds.Modality).toBe('RTSTRUCT');
    // patient and study modules kept from the CT
    expect(ds.PatientID).toBe('HNSCC-01-0002');
    expect(ds.StudyInstanceUID).toBe('1.3.6.1.4.1.14519.5.2.1.1706.8040.221282708406812421344577157976');
    expect(ds.SeriesInstanceUID).not.toBe(volume.meta.seriesInstanceUID);
    const zByUid = ctSliceZByUid(files);
    const frame = (ds.ReferencedFrameOfReferenceSequence as NaturalDataset[])[0];
    expect(frame.FrameOfReferenceUID).toBe(volume.meta.frameOfReferenceUID);
    const series = ((frame.RTReferencedStudySequence as NaturalDataset[])[0].RTReferencedSeriesSequence as NaturalDataset[])[0];
    expect(series.SeriesInstanceUID).toBe(volume.meta.seriesInstanceUID);
    const images = (series.ContourImageSequence as NaturalDataset[]).map((x) => x.ReferencedSOPInstanceUID as string);
    expect(new Set(images)).toEqual(new Set(zByUid.keys())); // every CT image, nothing else

    const rois = ds.StructureSetROISequence as NaturalDataset[];
    const contours = ds.ROIContourSequence as NaturalDataset[];
    const obs = ds.RTROIObservationsSequence as NaturalDataset[];
    expect(rois.map((r) => r.ROIName).sort()).toEqual(organs.map((o) => organByChannel(o.channel)!.tg263).sort());
    for (const o of organs) {
      const organ = organByChannel(o.channel)!;
      const roi = rois.find((r) => r.ROIName === organ.tg263)!;
      expect(roi.ROIGenerationAlgorithm).toBe('AUTOMATIC');
      expect(roi.ReferencedFrameOfReferenceUID).toBe(volume.meta.frameOfReferenceUID);
      expect(obs.find((x) => x.ReferencedROINumber === roi.ROINumber)!.RTROIInterpretedType).toBe('ORGAN');
      const rc = contours.find((c) => c.ReferencedROINumber === roi.ROINumber)!;
      expect(rc.ROIDisplayColor).toEqual(organ.color);
      const seq = rc.ContourSequence as NaturalDataset[];
      const nSlices = o.slices[1] - o.slices[0] + 1;
      expect(seq.length, organ.tg263).toBe(o.contoursPerSlice * nSlices);
      const zs = new Set<number>();
      for (const c of seq) {
        expect(c.ContourGeometricType).toBe('CLOSED_PLANAR');
        const uid = (c.ContourImageSequence as NaturalDataset[])[0].ReferencedSOPInstanceUID as string;
        expect(zByUid.has(uid)).toBe(true);
        const z = zByUid.get(uid)!;
        const data = c.ContourData as number[];
        expect(data.length).toBe(3 * (c.NumberOfContourPoints as number));
        for (let n = 2; n < data.length; n += 3) expect(data[n]).toBe(z);
        zs.add(z);
      }
      expect(zs.size).toBe(nSlices);
    }
  });

  it('writes every decimal string in 16 characters or fewer', () => {
    // read the raw ContourData strings: dcmjs keeps DS values as written when asked for strings
    const text = Buffer.from(bytes).toString('latin1');
    const tooLong = text.match(/[-+0-9.eE]{17,}/g) ?? [];
    // UIDs are digits and dots too: drop those (they contain more than one dot)
    expect(tooLong.filter((s) => (s.match(/\./g) ?? []).length <= 1)).toEqual([]);
  });
});
