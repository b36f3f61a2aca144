/**
 * Specific Character Set decoding and encoding (src/dicom/charset.ts) on the byte examples of DICOM PS3.5
 * annexes H (Japanese), I (Korean), J (Chinese) and the single-byte sets, written here as the standard prints them.
 */
import { describe, expect, it } from 'vitest';
import { chooseCharset, decodeText, encodeText, fitText, parseCharset, unsupportedCharsets } from '../../../src/dicom/charset';

const ESC = 0x1b;
const b = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe('parseCharset', () => {
  it('splits the values, keeps an empty first value, normalises ISO_IR100', () => {
    expect(parseCharset('\\ISO 2022 IR 87')).toEqual(['', 'ISO 2022 IR 87']);
    expect(parseCharset('ISO_IR100 ')).toEqual(['ISO_IR 100']);
    expect(parseCharset(undefined)).toEqual([]);
  });
});

describe('decodeText', () => {
  it('PS3.5 H.3.1: Japanese ISO 2022 IR 87 (JIS X 0208 escapes, reset at ^ and =)', () => {
    const J = (...codes: number[]) => [ESC, 0x24, 0x42, ...codes, ESC, 0x28, 0x42];
    const bytes = b(
      'Yamada^Tarou=',
      J(0x3b, 0x33, 0x45, 0x44),
      '^',
      J(0x42, 0x40, 0x4f, 0x3a),
      '=',
      J(0x24, 0x64, 0x24, 0x5e, 0x24, 0x40),
      '^',
      J(0x24, 0x3f, 0x24, 0x6d, 0x24, 0x26),
    );
    expect(decodeText(bytes, parseCharset('\\ISO 2022 IR 87'), 'PN')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
  });

  it('PS3.5 H.3.2: half-width katakana ISO 2022 IR 13 with JIS X 0208', () => {
    // ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう
    const bytes = b(
      [0xd4, 0xcf, 0xc0, 0xde],
      '^',
      [0xc0, 0xdb, 0xb3],
      '=',
      [ESC, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44, ESC, 0x28, 0x4a],
      '^',
      [ESC, 0x24, 0x42, 0x42, 0x40, 0x4f, 0x3a, ESC, 0x28, 0x4a],
      '=',
    );
    expect(decodeText(bytes, parseCharset('ISO 2022 IR 13\\ISO 2022 IR 87'), 'PN')).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=');
  });

  it('PS3.5 I.2: Korean ISO 2022 IR 149 (KS X 1001 in G1)', () => {
    const K = [ESC, 0x24, 0x29, 0x43];
    const bytes = b(
      'Hong^Gildong=',
      K,
      [0xfb, 0xf3],
      '^',
      K,
      [0xd1, 0xce, 0xd4, 0xd7],
      '=',
      K,
      [0xc8, 0xab],
      '^',
      K,
      [0xb1, 0xe6, 0xb5, 0xbf],
    );
    expect(decodeText(bytes, parseCharset('\\ISO 2022 IR 149'), 'PN')).toBe('Hong^Gildong=洪^吉洞=홍^길동');
  });

  it('PS3.5 J.1: Chinese GB18030', () => {
    const bytes = b('Wang^XiaoDong=', [0xcd, 0xf5], '^', [0xd0, 0xa1, 0xb6, 0xab], '=');
    expect(decodeText(bytes, ['GB18030'], 'PN')).toBe('Wang^XiaoDong=王^小东=');
  });

  it('Greek ISO_IR 126 and UTF-8 ISO_IR 192', () => {
    expect(decodeText(b([0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2]), ['ISO_IR 126'], 'PN')).toBe('Διονυσιος');
    const utf8 = new Uint8Array([
      0xce, 0xa3, 0xce, 0xbc, 0xce, 0xaf, 0xce, 0xb8, 0x5e, 0xce, 0x86, 0xce, 0xbd, 0xce, 0xbd, 0xce, 0xb1,
    ]);
    expect(decodeText(utf8, ['ISO_IR 192'], 'PN')).toBe('Σμίθ^Άννα');
  });

  it('Latin-1 ISO_IR 100, trailing padding removed; no character set: byte = code point', () => {
    expect(decodeText(b('Buc^J', [0xe9], 'r', [0xf4], 'me '), ['ISO_IR 100'], 'PN')).toBe('Buc^Jérôme');
    expect(decodeText(b('ABC\0'), [], 'LO')).toBe('ABC');
  });

  it('names unsupported terms', () => {
    expect(unsupportedCharsets(['ISO_IR 100', 'ISO_IR 999'])).toEqual(['ISO_IR 999']);
    expect(unsupportedCharsets(parseCharset('\\ISO 2022 IR 87\\ISO 2022 IR 159'))).toEqual([]);
  });
});

describe('encodeText / chooseCharset / fitText', () => {
  it('encodes in the single-byte set, null when a character is missing', () => {
    expect(Array.from(encodeText('Διονυσιος', 'ISO_IR 126') ?? [])).toEqual([
      0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2,
    ]);
    expect(encodeText('Jérôme', 'ISO_IR 100')?.length).toBe(6);
    expect(encodeText('Σ', 'ISO_IR 100')).toBeNull();
    expect(encodeText('é', '')).toBeNull();
  });

  it('chooses the default repertoire, the CT set, a single-byte set or UTF-8', () => {
    expect(chooseCharset(['Smith^John'])).toBe('');
    expect(chooseCharset(['Müller^Jürgen'])).toBe('ISO_IR 100');
    expect(chooseCharset(['Σμίθ^Άννα'], 'ISO_IR 192')).toBe('ISO_IR 126');
    expect(chooseCharset(['Ivanov', 'Müller'], 'ISO_IR 148')).toBe('ISO_IR 148');
    expect(chooseCharset(['Yamada^Tarou=山田^太郎'])).toBe('ISO_IR 192');
    expect(chooseCharset(['Σμίθ', 'Müller'])).toBe('ISO_IR 192');
  });

  it('fits to the VR limit in characters and in bytes of the target set', () => {
    const long = 'Ä'.repeat(300);
    expect(fitText(long, 'PN', 'ISO_IR 100')).toEqual({ value: 'Ä'.repeat(64), truncated: true });
    expect(fitText(long, 'PN', 'ISO_IR 192').value).toBe('Ä'.repeat(32)); // 2 bytes each
    expect(fitText('山田^太郎=' + '山'.repeat(40), 'PN', 'ISO_IR 192').value).toBe('山田^太郎=' + '山'.repeat(21));
    expect(fitText('Smith', 'SH', '')).toEqual({ value: 'Smith', truncated: false });
  });
});
