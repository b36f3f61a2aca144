/**
 * The node's idempotent store (src/pacs/node/identity.ts): derived structure set UIDs, and the RS.dcm with
 * those UIDs written back byte for byte as the RTSTRUCT writer itself writes it with them (also for names in
 * single-byte and multi-byte character sets), valid for dciodvfy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractContours } from '../../../src/contours';
import { defaultNodeId, structureSetUids, withStructureSetUids } from '../../../src/pacs/node/identity';
import { buildRtStruct, isValidUid, organRois, readRtStruct } from '../../../src/rtstruct';
import { makeVolume } from '../contours/fixtures';
import { dciodvfy } from '../rtstruct/tools';

describe('structure set UIDs of the node', () => {
  it('are valid, the same for the same series and model, different otherwise', () => {
    const a = structureSetUids('1.2.3.4', 'aa-hpa-v1');
    expect(isValidUid(a.sopInstanceUID)).toBe(true);
    expect(isValidUid(a.seriesInstanceUID)).toBe(true);
    expect(a.sopInstanceUID).not.toBe(a.seriesInstanceUID);
    expect(structureSetUids('1.2.3.4', 'aa-hpa-v1')).toEqual(a);
    expect(structureSetUids('1.2.3.5', 'aa-hpa-v1').sopInstanceUID).not.toBe(a.sopInstanceUID);
    expect(structureSetUids('1.2.3.4', 'aa-hpa-v2').sopInstanceUID).not.toBe(a.sopInstanceUID);
  });

  it('default node names differ per state file on one host and stay the same across restarts', () => {
    const a = defaultNodeId('ws 1', '/srv/a/state.json');
    expect(a).toMatch(/^ws_1-\d{6}$/);
    expect(defaultNodeId('ws 1', '/srv/a/state.json')).toBe(a);
    expect(defaultNodeId('ws 1', '/srv/b/state.json')).not.toBe(a);
  });
});

describe('RS.dcm with the derived UIDs', () => {
  const names = ['Doe^John', 'Müller^Jürgen', 'Σμίθ^Άννα', 'Yamada^Tarou=山田^太郎'];
  for (const name of names) {
    it(`is the writer's own file with those UIDs (patient "${name}")`, () => {
      const v = makeVolume({ dims: [12, 10, 3] });
      v.meta.patientName = name;
      const labels = new Uint8Array(12 * 10 * 3);
      for (let j = 2; j < 6; j++) for (let i = 2; i < 7; i++) labels[i + j * 12 + 120] = 22;
      const rois = organRois(extractContours(v, labels));
      const date = new Date(2026, 11, 6, 10, 0, 0);
      const uids = structureSetUids(v.meta.seriesInstanceUID, 'model-x');
      const random = buildRtStruct(v, rois, { date });
      const fixed = buildRtStruct(v, rois, { date, ...uids });
      expect(random.sopInstanceUID).not.toBe(uids.sopInstanceUID);
      const rewritten = withStructureSetUids(random.bytes, uids);
      expect(Buffer.from(rewritten).equals(Buffer.from(fixed.bytes))).toBe(true);
      const back = readRtStruct(rewritten);
      expect(back.rois.map((r) => r.name)).toEqual(['Heart']);
      const dir = mkdtempSync(join(tmpdir(), 'aa-identity-'));
      try {
        const f = join(dir, 'RS.dcm');
        writeFileSync(f, rewritten);
        expect(dciodvfy(f).errors).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('names what is missing in a file that is not a structure set', () => {
    const v = makeVolume({ dims: [4, 4, 1] });
    const r = buildRtStruct(v, []);
    expect(() => withStructureSetUids(r.bytes.slice(0, 200), structureSetUids('1.2', 'm'))).toThrow();
  });
});
