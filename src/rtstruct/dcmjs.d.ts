/**
 * The small part of dcmjs 0.52 (no bundled types) that the RTSTRUCT writer and reader use.
 * Checked against node_modules/dcmjs/build/dcmjs.es.js.
 */
declare module 'dcmjs' {
  /** A dataset in dcmjs' "naturalized" form: keyword -> value, sequences as arrays of datasets. */
  export type NaturalDataset = Record<string, unknown>;
  /** The raw form: 8-hex-digit tag -> { vr, Value }. */
  export type DenaturalizedDataset = Record<string, { vr: string; Value?: unknown[] }>;

  namespace data {
    class DicomDict {
      constructor(meta: DenaturalizedDataset);
      meta: DenaturalizedDataset;
      dict: DenaturalizedDataset;
      write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
    }
    /** The stream every element value is written to (the writer swaps its text encoder, writer.ts). */
    class WriteBufferStream {
      writeUint8(value: number): number;
    }
    class DicomMessage {
      static readFile(
        buffer: ArrayBuffer,
        options?: { ignoreErrors?: boolean; untilTag?: string | null; includeUntilTagValue?: boolean; noCopy?: boolean },
      ): DicomDict;
    }
    class DicomMetaDictionary {
      static naturalizeDataset(dataset: DenaturalizedDataset): NaturalDataset;
      static denaturalizeDataset(dataset: NaturalDataset): DenaturalizedDataset;
      static uid(): string;
    }
  }
  interface Logger {
    setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void;
    getLogger(name: string): Logger;
  }
  const dcmjs: { data: typeof data; log: Logger };
  export default dcmjs;
}
