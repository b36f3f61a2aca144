/**
 * Patient identity through the whole path: CT files whose names are in Greek UTF-8 (ISO_IR 192), Japanese
 * ISO 2022 IR 87 (PS3.5 H.3.1 bytes) and Latin-1 (ISO_IR 100) are scanned, built into a volume, and written as
 * an RTSTRUCT; `dcmdump +U8` must show the decoded name exactly, and dciodvfy must find no invalid value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCtVolume, scanDicomFiles } from '../../../src/dicom';
import { buildRtStruct } from '../../../src/rtstruct';
import { ctSlice, type El } from '../dicom/fixtures';
import { dciodvfy } from '../rtstruct/tools';

const ESC = 0x1b;
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));
const J = (...codes: number[]) => [ESC, 0x24, 0x42, ...codes, ESC, 0x28, 0x42];
const latin1 = (s: string) => new Uint8Array(Array.from(s, (c) => c.charCodeAt(0)));

interface Case {
  label: string;
  charset: string;
  nameBytes: Uint8Array;
  expected: string;
  idBytes?: Uint8Array;
  expectedId?: string;
}

const LONG_LATIN = 'Müller-Lüdenscheidt^Hans-Jürgen Ägidius Özdemir Äöü Éèêë^Z';
const CASES: Case[] = [
  { label: 'Greek UTF-8', charset: 'ISO_IR 192', nameBytes: new TextEncoder().encode('Σμίθ^Άννα'), expected: 'Σμίθ^Άννα' },
  {
    label: 'Japanese ISO 2022 IR 87 (PS3.5 H.3.1)',
    charset: '\\ISO 2022 IR 87',
    nameBytes: bytes(
      'Yamada^Tarou=',
      J(0x3b, 0x33, 0x45, 0x44),
      '^',
      J(0x42, 0x40, 0x4f, 0x3a),
      '=',
      J(0x24, 0x64, 0x24, 0x5e, 0x24, 0x40),
      '^',
      J(0x24, 0x3f, 0x24, 0x6d, 0x24, 0x26),
    ),
    expected: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
  },
  {
    label: 'Latin-1, 58 characters',
    charset: 'ISO_IR 100',
    nameBytes: latin1(LONG_LATIN),
    expected: LONG_LATIN,
    idBytes: latin1('Ñandú-7'),
    expectedId: 'Ñandú-7',
  },
];

function series(c: Case) {
  const extra: El[] = [
    { tag: 0x00080005, vr: 'CS', value: c.charset },
    { tag: 0x00100010, vr: 'PN', value: c.nameBytes.length % 2 ? bytes(Array.from(c.nameBytes), ' ') : c.nameBytes },
    { tag: 0x00100030, vr: 'DA', value: '19650304' },
    { tag: 0x00100040, vr: 'CS', value: 'F' },
  ];
  if (c.idBytes)
    extra.push({ tag: 0x00100020, vr: 'LO', value: c.idBytes.length % 2 ? bytes(Array.from(c.idBytes), ' ') : c.idBytes });
  const files = [0, 2, 4, 6].map((z, i) => ({
    name: `s${i}.dcm`,
    bytes: ctSlice({ position: [0, 0, z], instanceNumber: i + 1, rows: 8, columns: 8, extra }),
  }));
  const scan = scanDicomFiles(files);
  return { scan, volume: buildCtVolume(scan.series[0], files) };
}

function dumpValue(file: string, tag: string): string {
  const r = spawnSync('dcmdump', ['+U8', '+L', '+P', tag, file], { encoding: 'utf8' });
  const m = /\[(.*)\]/.exec(r.stdout);
  return m ? m[1] : `(no ${tag} in: ${r.stdout}${r.stderr})`;
}

const square = (z: number) => ({ k: 0, points: Float64Array.from([1, 1, z, 5, 1, z, 5, 5, z]) });

describe('patient identity survives decoding and the RTSTRUCT writer', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'identity-'));
  for (const c of CASES) {
    it(c.label, () => {
      const { scan, volume } = series(c);
      expect(scan.series[0].patientName).toBe(c.expected);
      expect(volume.meta.patientName).toBe(c.expected);
      const rs = buildRtStruct(volume, [
        { number: 1, name: 'Brain', color: [1, 2, 3], contours: [square(volume.slices[0].position[2])] },
      ]);
      expect(rs.notices).toEqual([]);
      const file = path.join(dir, `${c.label.replace(/\W+/g, '_')}.dcm`);
      writeFileSync(file, rs.bytes);
      expect(dumpValue(file, '0010,0010')).toBe(c.expected);
      if (c.expectedId) expect(dumpValue(file, '0010,0020')).toBe(c.expectedId);
      expect(dumpValue(file, '0010,0030')).toBe('19650304');
      expect(dumpValue(file, '0010,0040')).toBe('F');
      const v = dciodvfy(file);
      expect(v.errors, v.output).toEqual([]);
    });
  }

  it('a 300-character name is shortened to the PN limit with a notice, the export still succeeds', () => {
    const name = `${'Ωmega'.repeat(60)}`;
    const { volume } = series({
      label: 'long',
      charset: 'ISO_IR 192',
      nameBytes: new TextEncoder().encode(name),
      expected: name,
    });
    expect(Array.from(volume.meta.patientName)).toHaveLength(300);
    const rs = buildRtStruct(volume, [
      { number: 1, name: 'Brain', color: [1, 2, 3], contours: [square(volume.slices[0].position[2])] },
    ]);
    expect(rs.notices.join('\n')).toMatch(/PatientName shortened/);
    const file = path.join(dir, 'long.dcm');
    writeFileSync(file, rs.bytes);
    const written = dumpValue(file, '0010,0010');
    expect(name.startsWith(written)).toBe(true);
    expect(written.length).toBeGreaterThan(30);
    const v = dciodvfy(file);
    expect(v.errors, v.output).toEqual([]);
  });
});
