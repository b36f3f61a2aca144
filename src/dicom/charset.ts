/**
 * Specific Character Set (0008,0005): decoding and encoding of the text VRs (PN, LO, SH, ST, LT, UT) by the
 * declared character set, DICOM PS3.5 section 6.1 and annexes H-K. Pure functions over bytes and strings; the
 * WHATWG TextDecoder (Node and every browser) does the multi-byte tables: iso-2022-jp for JIS X 0208, euc-kr for
 * KS X 1001, gb18030 for GB 2312 / GB 18030 / GBK, iso-8859-x for the single-byte sets.
 *
 *   decodeText(bytes, parseCharset('\\ISO 2022 IR 87'), 'PN')    // 'Yamada^Tarou=山田^太郎=やまだ^たろう'
 *   const cs = chooseCharset(['Σμίθ^Άννα'], 'ISO_IR 192');      // 'ISO_IR 126' (single byte: fits 64-byte limits)
 *   encodeText('Σμίθ^Άννα', cs)                                 // Uint8Array in ISO 8859-7
 */

/** Text VRs whose character repertoire Specific Character Set extends. */
export const TEXT_VRS: ReadonlySet<string> = new Set(['PN', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC']);

/** Maximum length in characters (PS3.5 table 6.2-1); PN: per component group. */
export const VR_MAX_CHARS: Readonly<Record<string, number>> = {
  AE: 16,
  AS: 4,
  CS: 16,
  DA: 8,
  DS: 16,
  IS: 12,
  LO: 64,
  PN: 64,
  SH: 16,
  ST: 1024,
  LT: 10240,
  TM: 14,
  UI: 64,
};

/** Single-byte sets: defined term number -> WHATWG label of the set ('latin1' handled exactly, byte = code point). */
const SINGLE_BYTE: Record<string, string> = {
  '100': 'latin1',
  '101': 'iso-8859-2',
  '109': 'iso-8859-3',
  '110': 'iso-8859-4',
  '144': 'iso-8859-5',
  '127': 'iso-8859-6',
  '126': 'iso-8859-7',
  '138': 'iso-8859-8',
  '148': 'iso-8859-9',
  '203': 'iso-8859-15',
  '166': 'windows-874',
};

/** ISO 2022 G1 designation final byte (ESC - F) -> single-byte set number. */
const G1_96: Record<string, string> = {
  A: '100',
  B: '101',
  C: '109',
  D: '110',
  L: '144',
  G: '127',
  F: '126',
  H: '138',
  M: '148',
  b: '203',
  T: '166',
};

type CodeSet =
  | { kind: 'ascii' }
  | { kind: 'jis-roman' }
  | { kind: 'jisx0208' }
  | { kind: 'jisx0212' }
  | { kind: 'kana' }
  | { kind: 'ksx1001' }
  | { kind: 'gb2312' }
  | { kind: 'single'; label: string };

const ASCII: CodeSet = { kind: 'ascii' };
const isMultiByte = (s: CodeSet | null): boolean =>
  !!s && (s.kind === 'jisx0208' || s.kind === 'jisx0212' || s.kind === 'ksx1001' || s.kind === 'gb2312');

/** The values of (0008,0005) as written ("\\ISO 2022 IR 87" -> ['', 'ISO 2022 IR 87']), trimmed, upper case. */
export function parseCharset(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split('\\').map((t) =>
    t
      .replace(/\0/g, '')
      .trim()
      .toUpperCase()
      .replace(/^ISO_IR(\d)/, 'ISO_IR $1'),
  );
}

/** Terms this module cannot decode (they fall back to byte = code point): for a notice. */
export function unsupportedCharsets(terms: readonly string[]): string[] {
  return terms.filter((t) => t !== '' && !initialSets(t) && !WHOLE_VALUE[t]);
}

/** Non ISO 2022 sets that decode a whole value at once. */
const WHOLE_VALUE: Record<string, string> = { 'ISO_IR 192': 'utf-8', GB18030: 'gb18030', GBK: 'gbk' };

/** G0/G1 designated by a defined term (as the first value, or as the target of an escape sequence). */
function initialSets(term: string): { g0: CodeSet; g1: CodeSet | null } | null {
  const m = /^ISO(?:_| 2022 )IR (\d+)$/.exec(term);
  if (!m) return term === '' ? { g0: ASCII, g1: null } : null;
  const n = m[1];
  if (n === '6') return { g0: ASCII, g1: null };
  if (n === '13') return { g0: { kind: 'jis-roman' }, g1: { kind: 'kana' } };
  if (n === '87') return { g0: { kind: 'jisx0208' }, g1: null };
  if (n === '159') return { g0: { kind: 'jisx0212' }, g1: null };
  if (n === '149') return { g0: ASCII, g1: { kind: 'ksx1001' } };
  if (n === '58') return { g0: ASCII, g1: { kind: 'gb2312' } };
  const label = SINGLE_BYTE[n];
  return label ? { g0: ASCII, g1: { kind: 'single', label } } : null;
}

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

const latin1 = (b: ArrayLike<number>): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};

function decodeRun(set: CodeSet, bytes: number[]): string {
  if (!bytes.length) return '';
  switch (set.kind) {
    case 'ascii':
      return latin1(bytes);
    case 'jis-roman':
      return latin1(bytes).replace(/\\/g, '\u00a5').replace(/~/g, '\u203e');
    case 'jisx0208':
      return decoder('iso-2022-jp').decode(new Uint8Array([0x1b, 0x24, 0x42, ...bytes, 0x1b, 0x28, 0x42]));
    case 'jisx0212':
      return '\ufffd'.repeat(Math.ceil(bytes.length / 2)); // no decoder for JIS X 0212 in the Encoding standard
    case 'kana':
      return bytes.map((b) => (b >= 0xa1 && b <= 0xdf ? String.fromCharCode(0xff61 + b - 0xa1) : '\ufffd')).join('');
    case 'ksx1001':
      return decoder('euc-kr').decode(new Uint8Array(bytes));
    case 'gb2312':
      return decoder('gb18030').decode(new Uint8Array(bytes));
    case 'single':
      return set.label === 'latin1' ? latin1(bytes) : decoder(set.label).decode(new Uint8Array(bytes));
  }
}

/** Parses an escape sequence at `i` (bytes[i] === ESC): its length and what it designates. */
function escape(bytes: Uint8Array, i: number): { len: number; g0?: CodeSet; g1?: CodeSet } | null {
  const c = (k: number) => String.fromCharCode(bytes[i + k] ?? 0);
  const two = c(1) + c(2);
  const three = two + c(3);
  if (two === '(B') return { len: 3, g0: ASCII };
  if (two === '(J') return { len: 3, g0: { kind: 'jis-roman' } };
  if (two === ')I') return { len: 3, g1: { kind: 'kana' } };
  if (two === '$B' || two === '$@') return { len: 3, g0: { kind: 'jisx0208' } };
  if (three === '$(D') return { len: 4, g0: { kind: 'jisx0212' } };
  if (three === '$)C') return { len: 4, g1: { kind: 'ksx1001' } };
  if (three === '$)A') return { len: 4, g1: { kind: 'gb2312' } };
  if (c(1) === '-' && G1_96[c(2)]) return { len: 3, g1: { kind: 'single', label: SINGLE_BYTE[G1_96[c(2)]] } };
  return null;
}

/**
 * Decodes one text element's bytes by the data set's Specific Character Set values. `vr` PN makes '^' and '='
 * delimiters (the character set returns to the initial one after them, PS3.5 6.1.2.5.3), as are '\\', CR, LF,
 * TAB and FF for every VR. Trailing padding (space, NUL) is removed.
 */
export function decodeText(bytes: Uint8Array, terms: readonly string[], vr = 'LO'): string {
  const first = terms[0] ?? '';
  let text: string;
  const whole = WHOLE_VALUE[first];
  if (whole) text = decoder(whole).decode(bytes);
  else if (terms.some((t) => t.startsWith('ISO 2022')) || (first === '' && terms.length > 1))
    text = decodeIso2022(bytes, first, vr);
  else {
    const init = initialSets(first);
    if (init && first === 'ISO_IR 13') text = decodeIso2022(bytes, first, vr);
    else if (init?.g1) text = decodeRun(init.g1, Array.from(bytes));
    else text = latin1(bytes); // default repertoire or an unknown term: byte = code point (as before)
  }
  return text.replace(/[\0 ]+$/, '');
}

function decodeIso2022(bytes: Uint8Array, first: string, vr: string): string {
  const init = initialSets(first) ?? { g0: ASCII, g1: null };
  let g0 = init.g0;
  let g1 = init.g1;
  const delims = new Set([0x5c, 0x0d, 0x0a, 0x09, 0x0c, ...(vr === 'PN' ? [0x5e, 0x3d] : [])]);
  let out = '';
  let runSet: CodeSet | null = null;
  let run: number[] = [];
  const flush = () => {
    if (runSet) out += decodeRun(runSet, run);
    run = [];
    runSet = null;
  };
  const push = (set: CodeSet, ...b: number[]) => {
    if (runSet !== set) {
      flush();
      runSet = set;
    }
    run.push(...b);
  };
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    if (b === 0x1b) {
      const e = escape(bytes, i);
      if (e) {
        flush();
        if (e.g0) g0 = e.g0;
        if (e.g1) g1 = e.g1;
        i += e.len;
        continue;
      }
      i++;
      continue;
    }
    if (b >= 0x80) {
      const set: CodeSet = g1 ?? { kind: 'single', label: 'latin1' };
      if (isMultiByte(set) && i + 1 < bytes.length) {
        push(set, b, bytes[i + 1]);
        i += 2;
      } else {
        push(set, b);
        i++;
      }
      continue;
    }
    if (isMultiByte(g0) && b > 0x20) {
      push(g0, b, bytes[i + 1] ?? 0x21);
      i += 2;
      continue;
    }
    if (delims.has(b)) {
      flush();
      out += String.fromCharCode(b);
      g0 = init.g0;
      g1 = init.g1;
      i++;
      continue;
    }
    push(g0, b);
    i++;
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// encoding (writers)

const encodeTables = new Map<string, Map<string, number>>();
/** char -> byte for a single-byte set, built from the decoder (0x20-0x7E ASCII, 0xA0-0xFF the set's upper half). */
function encodeTable(label: string): Map<string, number> {
  let t = encodeTables.get(label);
  if (t) return t;
  t = new Map();
  for (let b = 0x20; b < 0x7f; b++) t.set(String.fromCharCode(b), b);
  for (let b = 0xa0; b <= 0xff; b++) {
    const ch = label === 'latin1' ? String.fromCharCode(b) : decoder(label).decode(new Uint8Array([b]));
    if (ch !== '\ufffd' && !t.has(ch)) t.set(ch, b);
  }
  for (const c of '\r\n\t\f') t.set(c, c.charCodeAt(0));
  encodeTables.set(label, t);
  return t;
}

/** Encodes `text` in the (single-value, non ISO 2022) character set `term`; null when a character is not in it. */
export function encodeText(text: string, term: string): Uint8Array | null {
  if (term === 'ISO_IR 192') return new TextEncoder().encode(text);
  const init = initialSets(term);
  if (!init || (init.g1 && init.g1.kind !== 'single') || init.g0.kind !== 'ascii') return null;
  const table = encodeTable(init.g1?.kind === 'single' ? init.g1.label : 'ascii');
  const chars = Array.from(text);
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) {
    const b = table.get(chars[i]);
    if (b === undefined || (!init.g1 && b > 0x7f)) return null;
    out[i] = b;
  }
  return out;
}

/** Single-byte sets tried, in order, when the text is not plain ASCII (then UTF-8). */
const CANDIDATES = [
  'ISO_IR 100',
  'ISO_IR 126',
  'ISO_IR 144',
  'ISO_IR 101',
  'ISO_IR 148',
  'ISO_IR 138',
  'ISO_IR 127',
  'ISO_IR 203',
];

/**
 * The character set to write `texts` with: '' (default repertoire) for ASCII; else `preferred` (the source's
 * set) when it is single-byte and represents every text, else the first single-byte set that does (so a
 * 64-character name stays 64 bytes, what validators check), else ISO_IR 192 (UTF-8).
 */
export function chooseCharset(texts: readonly string[], preferred?: string): string {
  const all = texts.join('\r');
  if (encodeText(all, '') !== null) return '';
  const tries = preferred && preferred !== 'ISO_IR 192' ? [preferred, ...CANDIDATES] : CANDIDATES;
  for (const t of tries) if (encodeText(all, t) !== null) return t;
  return 'ISO_IR 192';
}

/** Bytes of `text` in `term` (UTF-8 when it is not representable: callers choose with chooseCharset). */
export function encodedLength(text: string, term: string): number {
  return (encodeText(text, term) ?? new TextEncoder().encode(text)).length;
}

/**
 * Fits `value` to the VR's length limit: at most the limit in characters, and in bytes in the target character
 * set (validators such as dciodvfy count bytes). PN: per component group. Returns the value and whether it was cut.
 */
export function fitText(value: string, vr: string, term: string): { value: string; truncated: boolean } {
  const max = VR_MAX_CHARS[vr];
  if (!max) return { value, truncated: false };
  const fit = (s: string): string => {
    let chars = Array.from(s);
    if (chars.length > max) chars = chars.slice(0, max);
    while (chars.length && encodedLength(chars.join(''), term) > max) chars.pop();
    return chars.join('').replace(/ +$/, '');
  };
  const parts = vr === 'PN' ? value.split('=') : [value];
  const out = parts.map(fit).join(vr === 'PN' ? '=' : '');
  return { value: out, truncated: out !== value };
}
