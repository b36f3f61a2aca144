/**
 * Where files come from: the file/folder pickers, a drag-and-drop (folders walked recursively), or the
 * bundled example (fetched from the app's own origin). All become lazily read FileSources.
 */
import type { FileSource } from '../dicom/series';

export function fileSource(file: File): FileSource {
  return {
    name: file.webkitRelativePath || file.name,
    size: file.size,
    read: async (end) => new Uint8Array(await (end === undefined ? file : file.slice(0, end)).arrayBuffer()),
  };
}

/** A file already in memory. */
export const bytesSource = (name: string, bytes: Uint8Array): FileSource => ({
  name,
  size: bytes.length,
  read: async (end) => (end === undefined ? bytes : bytes.subarray(0, end)),
});

export const fromFileList = (files: FileList | readonly File[]): FileSource[] => Array.from(files, fileSource);

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns batches (100 in Chromium) until an empty batch.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walkEntry(entry: FileSystemEntry, out: FileSource[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    const src = fileSource(file);
    out.push({ ...src, name: entry.fullPath.replace(/^\//, '') || src.name });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walkEntry(child, out);
  }
}

/** Files and folders from a drop event (folders are walked recursively). */
export async function fromDataTransfer(dt: DataTransfer): Promise<FileSource[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return fromFileList(dt.files);
  const out: FileSource[] = [];
  for (const e of entries) await walkEntry(e, out);
  return out;
}

export interface ExampleIndex {
  description: string;
  files: string[];
}

export class ExampleMissingError extends Error {
  constructor() {
    super('The example CT is not installed in this build. Run `npm run example` (it writes public/example/), then reload.');
    this.name = 'ExampleMissingError';
  }
}

/** The bundled example series: public/example/index.json lists its files (relative to example/). */
export async function exampleSources(
  base = `${import.meta.env.BASE_URL}example/`,
): Promise<{ description: string; sources: FileSource[] }> {
  const res = await fetch(`${base}index.json`);
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) throw new ExampleMissingError();
  const index = (await res.json()) as ExampleIndex;
  // The example is small (< 15 MB): fetch every file once, then serve it from memory.
  const sources = await Promise.all(
    index.files.map(async (f): Promise<FileSource> => {
      const r = await fetch(base + f);
      if (!r.ok) throw new Error(`Example file ${f}: HTTP ${r.status}`);
      return bytesSource(f, new Uint8Array(await r.arrayBuffer()));
    }),
  );
  return { description: index.description, sources };
}
