/**
 * What makes the node's store idempotent (issue 22): the structure set the node stores for a CT series has
 * UIDs derived from that series and the model, not random ones. Storing it twice (a node killed between the
 * store and its state save, two nodes that both believed they held the claim) stores the same instance twice,
 * which a PACS keeps once (Orthanc: one instance, STOW-RS answers success), and before contouring the node
 * asks the PACS for that UID (QIDO-RS) to find work already done. Pure but for dcmjs.
 */
import dcmjs from 'dcmjs';
import { derivedUid } from '../../rtstruct/uids';
import { writeWithCharset } from '../../rtstruct/writer';

export interface StructureSetUids {
  sopInstanceUID: string;
  seriesInstanceUID: string;
}

/**
 * The node's structure set UIDs for a CT series contoured with a model. Another model (an upgrade) gives other
 * UIDs: its contours are a new structure set, not a silent no-op on the PACS.
 */
export function structureSetUids(ctSeriesUID: string, modelId: string): StructureSetUids {
  return {
    sopInstanceUID: derivedUid(`aa-node|rtstruct|sop|${ctSeriesUID}|${modelId}`),
    seriesInstanceUID: derivedUid(`aa-node|rtstruct|series|${ctSeriesUID}|${modelId}`),
  };
}

const bytesOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/**
 * The Part 10 file `file` (the batch runner's RS.dcm) with the SOP Instance and Series Instance UIDs `u`; text
 * is written back in the file's own character set (the RTSTRUCT writer's rule), so the result is the file the
 * writer would have written with these UIDs.
 */
export function withStructureSetUids(file: Uint8Array, u: StructureSetUids): Uint8Array {
  const dict = dcmjs.data.DicomMessage.readFile(bytesOf(file));
  const set = (ds: Record<string, { vr: string; Value?: unknown[] }>, tag: string, value: string) => {
    if (!ds[tag]) throw new Error(`the structure set file has no (${tag.slice(0, 4)},${tag.slice(4)})`);
    ds[tag].Value = [value];
  };
  set(dict.meta, '00020003', u.sopInstanceUID);
  set(dict.dict, '00080018', u.sopInstanceUID);
  set(dict.dict, '0020000E', u.seriesInstanceUID);
  // dcmjs decodes text on reading and then reports the character set as ISO_IR 192 (its writer's UTF-8); the
  // file's own value is in _rawValue. Put it back and write the text in it again.
  const cs = dict.dict['00080005'] as { vr: string; Value?: unknown[]; _rawValue?: unknown } | undefined;
  const raw = cs?._rawValue ?? cs?.Value ?? [];
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  if (cs) cs.Value = values;
  return writeWithCharset(dict, values.join('\\'));
}

/**
 * The default node name in claims: the host name plus a short code of the state file, so that two nodes on
 * one host (each with its own state file) do not take each other's claims, and a restarted node (same state
 * file) recognises its own.
 */
export function defaultNodeId(host: string, statePath: string): string {
  const code = derivedUid(`aa-node|state|${statePath}`).slice(-6);
  return `${host.replace(/\s+/g, '_') || 'node'}-${code}`;
}
