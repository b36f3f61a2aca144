import { describe, expect, it } from 'vitest';
import { boundaryOf, buildMultipart, parseMultipart } from '../../../src/pacs/multipart';

const bytes = (...v: number[]) => new Uint8Array(v);

describe('multipart/related', () => {
  it('reads quoted and bare boundaries', () => {
    expect(boundaryOf('multipart/related; type="application/dicom"; boundary="a b"')).toBe('a b');
    expect(boundaryOf('multipart/related; boundary=xyz; type="application/dicom"')).toBe('xyz');
    expect(boundaryOf('application/dicom')).toBeNull();
  });

  it('round-trips binary parts that contain CR LF and dashes', () => {
    const a = bytes(0x0d, 0x0a, 0x2d, 0x2d, 0, 255, 0x0d, 0x0a);
    const b = bytes(1, 2, 3);
    const { body, contentType } = buildMultipart([a, b], 'BOUND');
    const parts = parseMultipart(body, contentType);
    expect(parts.map((p) => [...p.body])).toEqual([[...a], [...b]]);
    expect(parts[0].headers['content-type']).toBe('application/dicom');
  });

  it('parses a server-style answer with extra headers and a preamble', () => {
    const text = 'preamble\r\n--B\r\nContent-Type: application/dicom\r\nContent-Length: 2\r\n\r\nhi\r\n--B--\r\n';
    const parts = parseMultipart(new TextEncoder().encode(text), 'multipart/related; boundary=B');
    expect(parts).toHaveLength(1);
    expect(new TextDecoder().decode(parts[0].body)).toBe('hi');
    expect(parts[0].headers['content-length']).toBe('2');
  });

  it('rejects a truncated body', () => {
    const text = '--B\r\nContent-Type: application/dicom\r\n\r\nhalf a fi';
    expect(() => parseMultipart(new TextEncoder().encode(text), 'multipart/related; boundary=B')).toThrow(/truncated/);
  });
});
