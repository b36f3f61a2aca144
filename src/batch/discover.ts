/**
 * Input discovery for `npm run segment` (Node I/O): every --input becomes series jobs.
 *
 * - A NIfTI file (.nii / .nii.gz) is one CT volume.
 * - A folder is walked recursively (hidden entries skipped). DICOM files are grouped into series by the
 *   app's own scanner (scanDicomSources: headers only); every CT series is a job, other image series are
 *   noted and skipped, unreadable files are reported as a problem of the input. NIfTI files in a folder
 *   are CT volumes when their datatype is not 8-bit and their name does not say label/seg/mask (so an
 *   OpenKBP folder yields ct.nii.gz and not labels.nii.gz).
 * - References: `--reference PATH` belongs to the --input before it; `--reference auto` looks next to each
 *   series: a NIfTI label map beside a NIfTI CT (labels.nii.gz + meta.json in OpenKBP), an RTSTRUCT in the
 *   input that references the DICOM series, or a label map in the series folder or its parent (the phantom
 *   layout DIR/dicom/ + DIR/labels.nii.gz).
 */
import { openSync, readSync, closeSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Gunzip } from 'fflate';
import { isAnnotationObject, scanDicomSources, type DicomSeries, type FileSource } from '../dicom/series';
import { readRtStruct } from '../rtstruct/reader';
import { niftiCaseName } from '../nifti/ct';
import { classifyReference, isNiftiPath, ReferenceError, type ReferenceSpec } from './reference';

export interface InputArg {
  path: string;
  /** A path, 'auto', or undefined. */
  reference?: string;
}

export interface JobFile {
  path: string;
  /** Path relative to the input (for messages). */
  name: string;
  size: number;
}

export interface SeriesJob {
  /** Output folder name, unique in the run. */
  name: string;
  input: string;
  kind: 'dicom' | 'nifti';
  files: JobFile[];
  /** DICOM: the scanner's series key, so the page picks the same series. */
  seriesKey?: string;
  /** For messages: "CT 'Head' #3 (77 images)". */
  label: string;
  seriesInstanceUID?: string;
  reference: ReferenceSpec | null;
  /** Why no reference was found (auto), or why the given one was not used. */
  referenceNote?: string;
}

export interface InputProblem {
  input: string;
  message: string;
}

export interface Discovery {
  jobs: SeriesJob[];
  problems: InputProblem[];
  notes: string[];
}

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

// ---------------------------------------------------------------------------------------------
// files

/**
 * Files under `dir`, sorted, hidden entries skipped. Symbolic links are followed once: a link back to a folder
 * already walked (a loop) and an entry that cannot be read are skipped with a line in `skipped`.
 */
export function walk(dir: string, out: string[] = [], skipped: string[] = [], seen: Set<string> = new Set()): string[] {
  let real: string;
  let entries: Dirent[];
  try {
    real = realpathSync(dir);
    if (seen.has(real)) {
      skipped.push(`${dir}: skipped, a link back to a folder already read (symlink loop)`);
      return out;
    }
    seen.add(real);
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    skipped.push(`${dir}: skipped, cannot be read (${errCode(e)})`);
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out, skipped, seen);
    else if (e.isFile()) out.push(p);
    else if (e.isSymbolicLink()) {
      let s;
      try {
        s = statSync(p);
      } catch (err) {
        skipped.push(
          `${p}: skipped, ${errCode(err) === 'ELOOP' ? 'a symlink loop' : `a link that cannot be followed (${errCode(err)})`}`,
        );
        continue;
      }
      if (s.isDirectory()) walk(p, out, skipped, seen);
      else if (s.isFile()) out.push(p);
    }
  }
  return out;
}

const errCode = (e: unknown): string => (e as { code?: string })?.code ?? (e instanceof Error ? e.message : String(e));

function readPrefix(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  } finally {
    closeSync(fd);
  }
}

/** A file on disk as the scanner's lazily read source. */
export function nodeFileSource(path: string, name: string, size: number): FileSource {
  return { name, size, read: async (end) => readPrefix(path, end ?? size) };
}

export interface NiftiHeaderInfo {
  datatype: number;
  dims: number[];
}

/** NIfTI-1 datatype code and dims from the first bytes of a .nii / .nii.gz (null when unreadable). */
export function niftiHeader(path: string): NiftiHeaderInfo | null {
  let head = readPrefix(path, 64 * 1024);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const parts: Uint8Array[] = [];
    let n = 0;
    const g = new Gunzip((chunk) => {
      parts.push(chunk);
      n += chunk.length;
    });
    try {
      g.push(head, false);
    } catch {
      return null;
    }
    head = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      head.set(p, o);
      o += p.length;
    }
  }
  if (head.length < 348) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const le = v.getInt32(0, true) === 348;
  if (!le && v.getInt32(0, false) !== 348) return null;
  const ndim = v.getInt16(40, le);
  if (ndim < 1 || ndim > 7) return null;
  return { datatype: v.getInt16(70, le), dims: Array.from({ length: ndim }, (_, i) => v.getInt16(42 + 2 * i, le)) };
}

const LABEL_NAME = /(label|seg|mask|gt|truth|struct|roi)/i;
const EIGHT_BIT = new Set([2, 256]); // uint8, int8

/** Whether a NIfTI found in a folder is taken as a CT volume (see the header comment). */
export function looksLikeCtNifti(name: string, datatype: number | null): boolean {
  return datatype !== null && !EIGHT_BIT.has(datatype) && !LABEL_NAME.test(basename(name));
}

const sameGrid = (dims: readonly number[], want: readonly number[]) =>
  want.every((d, i) => (dims[i] ?? 1) === d) && dims.slice(want.length).every((d) => d === 1);

// ---------------------------------------------------------------------------------------------
// names

export function sanitizeName(s: string): string {
  const t = s
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[_.]+|_+$/g, '')
    .slice(0, 80);
  return t || 'series';
}

/** Names the run itself writes in OUTDIR: a series folder may never take them. */
export const RESERVED_NAMES: readonly string[] = ['summary.md', 'summary.json'];

/** Makes names unique in order of appearance: a, a-2, a-3; never one of RESERVED_NAMES (case-insensitive). */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>(RESERVED_NAMES);
  return names.map((n) => {
    let name = n;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${n}-${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

function inputBaseName(input: string): string {
  return isNiftiPath(input) ? niftiCaseName(resolve(input)) : basename(resolve(input));
}

function dicomSeriesName(s: DicomSeries, input: string, relDir: string): string {
  const parts = [s.patientID, s.seriesNumber && `s${s.seriesNumber}`, s.seriesDescription].filter(Boolean);
  return parts.length ? parts.join('_') : `${inputBaseName(input)}_${relDir.split(sep).join('_') || 'series'}`;
}

// ---------------------------------------------------------------------------------------------
// references

function commonDir(paths: readonly string[]): string {
  if (!paths.length) return '';
  let d = dirname(paths[0]);
  while (!paths.every((p) => p === d || p.startsWith(d + sep)) && d !== dirname(d)) d = dirname(d);
  return d;
}

/**
 * A label map in `dir` for a CT of grid `dims` (auto references): a NIfTI named like labels whose grid
 * matches, with a legend (a label map without one is only used when named explicitly, as its values
 * would be a guess). labels.nii(.gz) first, then by name.
 */
function labelMapIn(dir: string, dims: readonly number[], exclude: string): { spec?: ReferenceSpec; note?: string } {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => isNiftiPath(f) && join(dir, f) !== exclude && LABEL_NAME.test(f))
      .sort();
  } catch {
    return {};
  }
  names.sort((a, b) => Number(/^labels?\.nii/i.test(b)) - Number(/^labels?\.nii/i.test(a)));
  let note: string | undefined;
  for (const f of names) {
    const p = join(dir, f);
    const h = niftiHeader(p);
    if (!h || !sameGrid(h.dims, dims)) continue;
    const spec = classifyReference(p);
    if (spec.kind === 'labelmap' && spec.legend) return { spec };
    note ??= `${p} fits the grid but has no legend (meta.json, case.json, ${f.replace(/\.nii(\.gz)?$/i, '')}.json or labels*.json); give it with --reference to read its values as organ channels`;
  }
  return note ? { note } : {};
}

interface RtStructFile {
  path: string;
  referenced: Set<string>;
  frameOfReference: Set<string>;
}

function readRtStructRefs(path: string): RtStructFile | null {
  try {
    const ss = readRtStruct(readPrefix(path, statSync(path).size));
    return {
      path,
      referenced: new Set(ss.referencedSOPInstanceUIDs),
      frameOfReference: new Set(ss.frameOfReferenceUIDs.filter(Boolean)),
    };
  } catch {
    return null;
  }
}

function autoReference(
  job: Omit<SeriesJob, 'name' | 'reference'>,
  series: DicomSeries | null,
  rtstructs: RtStructFile[],
): { spec: ReferenceSpec | null; note?: string } {
  if (job.kind === 'dicom' && series) {
    const uids = new Set(series.instances.map((h) => h.sopInstanceUID).filter(Boolean));
    const fors = new Set(series.instances.map((h) => h.frameOfReferenceUID).filter(Boolean));
    const hit =
      rtstructs.find((r) => [...r.referenced].some((u) => uids.has(u))) ??
      rtstructs.find((r) => [...r.frameOfReference].some((u) => fors.has(u)));
    if (hit) return { spec: { kind: 'rtstruct', path: hit.path } };
    const first = series.instances[0];
    const dims = [first.columns, first.rows, series.sliceCount];
    const dir = commonDir(job.files.map((f) => f.path));
    const here = labelMapIn(dir, dims, '');
    const lab = here.spec ? here : labelMapIn(dirname(dir), dims, '');
    if (lab.spec) return { spec: lab.spec };
    return {
      spec: null,
      note:
        here.note ??
        lab.note ??
        'no reference found next to the series (an RTSTRUCT referencing it, or a label map of its grid with a legend)',
    };
  }
  const ct = job.files[0].path;
  const h = niftiHeader(ct);
  const lab = h ? labelMapIn(dirname(ct), h.dims.slice(0, 3), ct) : {};
  if (lab.spec) return { spec: lab.spec };
  return { spec: null, note: lab.note ?? `no label map of the same grid with a legend found next to ${basename(ct)}` };
}

// ---------------------------------------------------------------------------------------------
// discovery

interface Found {
  job: Omit<SeriesJob, 'name' | 'reference'>;
  series: DicomSeries | null;
  proposedName: string;
}

async function discoverOne(
  input: string,
  problems: InputProblem[],
  notes: string[],
): Promise<{ found: Found[]; rtstructs: RtStructFile[] }> {
  const abs = resolve(input);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) {
    problems.push({ input, message: 'does not exist' });
    return { found: [], rtstructs: [] };
  }
  if (st.isFile()) {
    if (!isNiftiPath(abs)) {
      problems.push({ input, message: 'is a file but not a NIfTI volume (.nii/.nii.gz); give DICOM series as a folder' });
      return { found: [], rtstructs: [] };
    }
    const name = niftiCaseName(abs);
    return {
      found: [
        {
          job: {
            input,
            kind: 'nifti',
            files: [{ path: abs, name: basename(abs), size: st.size }],
            label: `NIfTI ${basename(abs)}`,
          },
          series: null,
          proposedName: name,
        },
      ],
      rtstructs: [],
    };
  }
  const skipped: string[] = [];
  const files = walk(abs, [], skipped);
  const found: Found[] = [];
  const dicomCandidates: JobFile[] = [];
  let labelNiftis = 0;
  for (const p of files) {
    let size: number;
    try {
      size = statSync(p).size;
      closeSync(openSync(p, 'r'));
    } catch (e) {
      skipped.push(`${p}: skipped, cannot be read (${errCode(e)})`);
      continue;
    }
    const name = relative(abs, p);
    if (isNiftiPath(p)) {
      if (looksLikeCtNifti(name, niftiHeader(p)?.datatype ?? null)) {
        found.push({
          job: { input, kind: 'nifti', files: [{ path: p, name, size }], label: `NIfTI ${name}` },
          series: null,
          proposedName: niftiCaseName(name.includes(sep) ? name : join(basename(abs), name)),
        });
      } else labelNiftis++;
    } else dicomCandidates.push({ path: p, name, size });
  }
  for (const line of skipped) notes.push(`${input}: ${line}`);
  if (labelNiftis) notes.push(`${input}: ${labelNiftis} NIfTI file(s) taken as labels, not CT (8-bit or named label/seg/mask)`);
  const scan = await scanDicomSources(dicomCandidates.map((f) => nodeFileSource(f.path, f.name, f.size)));
  if (scan.corrupt.length) {
    const eg = scan.corrupt
      .slice(0, 3)
      .map((c) => `${c.fileName} (${c.reason})`)
      .join('; ');
    problems.push({
      input,
      message: `${scan.corrupt.length} DICOM file(s) could not be read and were left out: ${eg}${scan.corrupt.length > 3 ? '; ...' : ''}`,
    });
  }
  for (const s of scan.series) {
    const jf = s.instances.map((h) => dicomCandidates[h.fileIndex]);
    const label = `${s.modality} '${s.seriesDescription || 'no description'}' #${s.seriesNumber || '?'} (${s.instances.length} images)`;
    if (s.modality !== 'CT') {
      notes.push(`${input}: skipped ${label}: not CT`);
      continue;
    }
    const relDir = relative(abs, commonDir(jf.map((f) => f.path)));
    found.push({
      job: { input, kind: 'dicom', files: jf, seriesKey: s.key, label, seriesInstanceUID: s.seriesInstanceUID },
      series: s,
      proposedName: dicomSeriesName(s, input, relDir),
    });
  }
  if (!found.length && !scan.corrupt.length) {
    // DICOM objects without images (no Pixel Data, not a structure set) are named, as the app does.
    const bare = scan.nonImage.filter((o) => !isAnnotationObject(o));
    const kinds = [...new Set(bare.map((o) => o.modality || '?'))].join(', ');
    problems.push({
      input,
      message: `holds no CT series and no NIfTI CT volume${bare.length ? ` (${bare.length} DICOM file(s) without images (${kinds}))` : ''}`,
    });
  }
  const rtstructs = scan.nonImage
    .filter((o) => o.modality === 'RTSTRUCT')
    .map((o) => readRtStructRefs(join(abs, o.fileName)))
    .filter((r): r is RtStructFile => r !== null);
  // Never passed over silently (issue 16): a structure set that fits none of the input's series is named.
  for (const r of rtstructs) {
    const fits = found.some(({ series: s }) =>
      s?.instances.some(
        (h) => r.referenced.has(h.sopInstanceUID) || (h.frameOfReferenceUID && r.frameOfReference.has(h.frameOfReferenceUID)),
      ),
    );
    const obj = scan.nonImage.find((o) => join(abs, o.fileName) === r.path);
    const patient = [obj?.patientName, obj?.patientID].filter(Boolean).join(' / ');
    if (!fits)
      notes.push(
        `${input}: RTSTRUCT ${relative(abs, r.path)}${patient ? ` (patient ${patient})` : ''} references no series in this input (another patient or series?): not used`,
      );
  }
  return { found, rtstructs };
}

/**
 * Discovers the series of every input and pairs references. An input whose reference cannot apply (missing
 * path, one NIfTI reference for several series) or that cannot be read is a problem of that input; the others go on.
 */
export async function discoverInputs(inputs: readonly InputArg[]): Promise<Discovery> {
  const problems: InputProblem[] = [];
  const notes: string[] = [];
  const pending: { found: Found; reference: ReferenceSpec | null; referenceNote?: string }[] = [];
  for (const arg of inputs) {
    // One bad --input (or its --reference) is a problem of that input only: the others still run.
    let found: Found[];
    let rtstructs: RtStructFile[];
    try {
      ({ found, rtstructs } = await discoverOne(arg.path, problems, notes));
    } catch (e) {
      problems.push({ input: arg.path, message: `could not be read: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    let explicit: ReferenceSpec | null = null;
    if (arg.reference && arg.reference !== 'auto') {
      try {
        explicit = classifyReference(arg.reference);
      } catch (e) {
        problems.push({
          input: arg.path,
          message: `left out: --reference ${e instanceof ReferenceError ? e.message : String(e)}`,
        });
        continue;
      }
      if (explicit.kind !== 'rtstruct' && found.length > 1) {
        problems.push({
          input: arg.path,
          message: `left out: --reference ${arg.reference} is one ${explicit.kind === 'masks' ? 'mask folder' : 'label map'} but this input holds ${found.length} series; give one series per --input, or use --reference auto`,
        });
        continue;
      }
    }
    const single = found.length === 1;
    for (const f of found) {
      if (single) f.proposedName = inputBaseName(arg.path);
      if (explicit) pending.push({ found: f, reference: explicit });
      else if (arg.reference === 'auto') {
        const a = autoReference(f.job, f.series, rtstructs);
        pending.push({ found: f, reference: a.spec, referenceNote: a.note });
      } else pending.push({ found: f, reference: null });
    }
  }
  const names = uniqueNames(pending.map((p) => sanitizeName(p.found.proposedName)));
  const jobs: SeriesJob[] = pending.map((p, i) => ({
    ...p.found.job,
    name: names[i],
    reference: p.reference,
    ...(p.referenceNote ? { referenceNote: p.referenceNote } : {}),
  }));
  return { jobs, problems, notes };
}
