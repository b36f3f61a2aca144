/**
 * multipart/related bodies of WADO-RS answers and STOW-RS requests (RFC 2387 / PS3.18 8.6), binary-safe
 * and pure. A DICOM part's bytes may contain anything but the delimiter line.
 */

export interface Part {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Uint8Array;
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const text = (b: Uint8Array) => String.fromCharCode(...b);

/** The boundary parameter of a multipart content type, or null. */
export function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** Splits a multipart body into its parts. */
export function parseMultipart(body: Uint8Array, contentType: string): Part[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new MultipartError(`no boundary in content type "${contentType}"`);
  const delim = latin1(`--${boundary}`);
  const parts: Part[] = [];
  let pos = indexOf(body, delim, 0);
  if (pos < 0) throw new MultipartError('the boundary does not occur in the body');
  for (;;) {
    let start = pos + delim.length;
    // "--" after the delimiter ends the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    // Skip transport padding and the line break after the delimiter.
    while (body[start] === 0x20 || body[start] === 0x09) start++;
    if (body[start] === 0x0d) start++;
    if (body[start] === 0x0a) start++;
    const headEnd = indexOf(body, latin1('\r\n\r\n'), start);
    if (headEnd < 0) throw new MultipartError('a part has no end of headers');
    const headers: Record<string, string> = {};
    for (const line of text(body.subarray(start, headEnd)).split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    const next = indexOf(body, latin1(`\r\n--${boundary}`), headEnd + 4);
    if (next < 0) throw new MultipartError('a part is not closed by the boundary (truncated answer?)');
    parts.push({ headers, body: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
  return parts;
}

/** A multipart/related body of DICOM parts; returns the bytes and the content type to send. */
export function buildMultipart(
  parts: readonly Uint8Array[],
  boundary = `aa-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`,
): { body: Uint8Array; contentType: string } {
  const head = latin1(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const sep = latin1('\r\n');
  const tail = latin1(`--${boundary}--\r\n`);
  const size = parts.reduce((n, p) => n + head.length + p.length + sep.length, 0) + tail.length;
  const body = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    body.set(head, o);
    o += head.length;
    body.set(p, o);
    o += p.length;
    body.set(sep, o);
    o += sep.length;
  }
  body.set(tail, o);
  return { body, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}
