/**
 * The node's claims (src/pacs/node/claim.ts) and its idempotent store against a real Orthanc
 * (tests/pacs/orthanc.ts): one winner among racing nodes, renewal, done over a live claim, release of one's
 * own claim only, a server without revision checks refused, and the same structure set stored twice kept
 * once. Skipped, saying why, when Debian orthanc / orthanc-dicomweb are not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractContours } from '../../../src/contours';
import { authHeader, DicomWebClient } from '../../../src/pacs/client';
import { OrthancClaims, parseClaim } from '../../../src/pacs/node/claim';
import { structureSetUids, withStructureSetUids } from '../../../src/pacs/node/identity';
import { buildRtStruct, organRois } from '../../../src/rtstruct';
import type { CtVolume } from '../../../src/volume/volume';
import { rtstructsBySeries, uploadSynthetic } from '../../pacs/fixtures';
import { orthancMissing, startOrthanc, type Orthanc } from '../../pacs/orthanc';
import { makeVolume } from '../contours/fixtures';

const missing = orthancMissing();
const auth = (p: Orthanc) => authHeader({ kind: 'basic', user: p.user, password: p.password });

async function claimValue(pacs: Orthanc, seriesUID: string): Promise<string | null> {
  const [hit] = (await (await pacs.rest('/tools/lookup', { method: 'POST', body: seriesUID })).json()) as { ID: string }[];
  const r = await pacs.rest(`/series/${hit.ID}/metadata/AutoContourClaim`);
  return r.ok ? r.text() : null;
}

describe.skipIf(!!missing)(`claims and the idempotent store against Orthanc${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pacs: Orthanc;
  const series: string[] = [];
  beforeAll(async () => {
    pacs = await startOrthanc();
    for (let k = 1; k <= 4; k++) series.push(await uploadSynthetic(pacs, k, { slices: 2 }));
  });
  afterAll(async () => {
    await pacs?.stop();
  });
  const node = (name: string, ttlMs = 3600_000) => new OrthancClaims(pacs.url, auth(pacs), name, 'AutoContourClaim', ttlMs);

  it('gives a series to exactly one of several racing nodes', async () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => node(n));
    const results = await Promise.all(nodes.map((c) => c.claim(series[0])));
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'busy')).toHaveLength(4);
    const winner = nodes[results.findIndex((r) => r.kind === 'claimed')].node;
    expect(parseClaim((await claimValue(pacs, series[0]))!)?.node).toBe(winner);
  });

  it("renews its own claim, not another node's; takes back its own at once, a stale one of another after the TTL", async () => {
    const a = node('a');
    expect((await a.claim(series[1], Date.parse('2026-01-01T10:00:00Z'))).kind).toBe('claimed');
    expect(await a.renew(series[1], Date.parse('2026-01-01T10:30:00Z'))).toBe(true);
    expect(parseClaim((await claimValue(pacs, series[1]))!)?.detail).toBe('2026-01-01T10:30:00.000Z');
    expect(await node('b').renew(series[1])).toBe(false);
    expect((await node('b', 3600_000).claim(series[1], Date.parse('2026-01-01T11:00:00Z'))).kind).toBe('busy');
    expect((await a.claim(series[1], Date.parse('2026-01-01T11:00:00Z'))).kind).toBe('claimed');
    expect((await node('b', 3600_000).claim(series[1], Date.parse('2026-01-01T12:30:00Z'))).kind).toBe('claimed');
    expect(await a.renew(series[1])).toBe(false); // taken over
  });

  it('marks done over a live claim of another node, keeps an existing done, and releases only its own claim', async () => {
    const a = node('a');
    const b = node('b');
    expect((await a.claim(series[2])).kind).toBe('claimed');
    await b.release(series[2]); // not b's: nothing happens
    expect(parseClaim((await claimValue(pacs, series[2]))!)?.node).toBe('a');
    await b.done(series[2], '1.2.3'); // b stored it (the same derived UID a would store)
    await a.done(series[2], '1.2.4');
    expect(await claimValue(pacs, series[2])).toBe('done b 1.2.3');
    expect(await a.claim(series[2])).toEqual({ kind: 'done', by: 'b', rtstruct: '1.2.3' });
    expect((await a.claim(series[3])).kind).toBe('claimed');
    await a.release(series[3]);
    expect(await claimValue(pacs, series[3])).toBeNull();
  });

  it('stores the same derived structure set twice as one instance, and finds it by its UID', async () => {
    const client = new DicomWebClient({ url: pacs.dicomWeb, auth: { kind: 'basic', user: pacs.user, password: pacs.password } });
    const [s] = (await client.searchSeries(null, 'CT')).filter((x) => x.seriesUID === series[3]);
    const v: CtVolume = makeVolume({ dims: [8, 8, 2] });
    v.meta.studyInstanceUID = s.studyUID;
    v.meta.seriesInstanceUID = s.seriesUID;
    const labels = new Uint8Array(8 * 8 * 2);
    for (let j = 2; j < 5; j++) for (let i = 2; i < 5; i++) labels[i + j * 8] = 22;
    const uids = structureSetUids(s.seriesUID, 'model-x');
    expect(await client.hasInstance(s.studyUID, uids.sopInstanceUID)).toBe(false);
    const rs = () => withStructureSetUids(buildRtStruct(v, organRois(extractContours(v, labels))).bytes, uids);
    await client.store(s.studyUID, [rs()]);
    await client.store(s.studyUID, [rs()]); // a second node, or the same after a crash: same instance
    expect(await client.hasInstance(s.studyUID, uids.sopInstanceUID)).toBe(true);
    expect((await rtstructsBySeries(pacs)).get(s.seriesUID)).toEqual([uids.sopInstanceUID]);
  });

  it('refuses a server without revision checks, naming the setting', async () => {
    await node('a').checkServer(); // the test server checks revisions
    const loose = await startOrthanc({ checkRevisions: false });
    try {
      const c = new OrthancClaims(loose.url, auth(loose), 'a');
      await expect(c.checkServer()).rejects.toThrow(/"CheckRevisions": true.*--orthanc none/);
    } finally {
      await loose.stop();
    }
  });
});
