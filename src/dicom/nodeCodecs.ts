/**
 * Compressed-frame decoder for Node (tests, CLI): the same WebAssembly codecs the browser's
 * dicom-image-loader uses, loaded with require(). Not imported by the app (it uses node:module).
 *
 *   import { nodeDecoder } from '../src/dicom/nodeCodecs';
 *   const ct = await loadCtVolume(series, { readFile, decoder: nodeDecoder });
 */
import { createRequire } from 'node:module';
import type { CompressedDecoder } from './build';

const require = createRequire(import.meta.url);

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
}
type Factory = (opts?: { print?: (s: string) => void }) => Promise<Record<string, new () => WasmDecoder>>;

const SYNTAX_CODEC: Record<string, { module: string; cls: string }> = {
  '1.2.840.10008.1.2.4.90': { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', cls: 'J2KDecoder' },
  '1.2.840.10008.1.2.4.91': { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', cls: 'J2KDecoder' },
  '1.2.840.10008.1.2.4.80': { module: '@cornerstonejs/codec-charls/decodewasmjs', cls: 'JpegLSDecoder' },
  '1.2.840.10008.1.2.4.81': { module: '@cornerstonejs/codec-charls/decodewasmjs', cls: 'JpegLSDecoder' },
};

const decoders = new Map<string, Promise<WasmDecoder>>();

function decoderFor(ts: string): Promise<WasmDecoder> {
  const spec = SYNTAX_CODEC[ts];
  if (!spec) return Promise.reject(new Error(`no Node codec for transfer syntax ${ts}`));
  const key = `${spec.module}#${spec.cls}`;
  let d = decoders.get(key);
  if (!d) {
    const mod = require(spec.module) as Factory | { default: Factory };
    const factory = typeof mod === 'function' ? mod : mod.default;
    // OpenJPEG prints [INFO] lines for every frame; keep stderr for real errors.
    d = factory({ print: () => {} }).then((m) => new m[spec.cls]());
    decoders.set(key, d);
  }
  return d;
}

/** Decodes JPEG 2000 and JPEG-LS frames to stored values (copied out of WASM memory). */
export const nodeDecoder: CompressedDecoder = async (frame, header) => {
  const dec = await decoderFor(header.transferSyntaxUID);
  dec.getEncodedBuffer(frame.length).set(frame);
  dec.decode();
  const info = dec.getFrameInfo();
  const raw = dec.getDecodedBuffer();
  if (info.componentCount !== 1) throw new Error(`${info.componentCount} components: not a greyscale image`);
  if (info.bitsPerSample <= 8) return info.isSigned ? new Int8Array(raw.slice().buffer) : raw.slice();
  const copy = raw.slice().buffer;
  return info.isSigned ? new Int16Array(copy) : new Uint16Array(copy);
};
