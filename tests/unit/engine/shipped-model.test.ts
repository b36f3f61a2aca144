/**
 * The shipped model: every model public/models/index.json lists is in the repository (a fresh clone has
 * no gitignored development models), the default package stays under the 40 MB budget, and its trained
 * weights contour a phantom the training never saw in Node on wasm, through the engine's own pipeline.
 * Seed 777: training/make_phantoms.sh uses 1000 + 100 x source + i for training and 9000 + i for the
 * held-out cases. Scored against the phantom's exact labels; random weights of the same architecture
 * score about 0 here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { selectBackend } from '../../../src/engine/backend';
import { defaultModel, validateModelIndex } from '../../../src/engine/manifest';
import { loadModel } from '../../../src/engine/model';
import { dirUrl, fileFetch } from '../../../src/engine/node/files';
import { segmentVolume } from '../../../src/engine/engine';
import { buildCtVolume, scanDicomFiles } from '../../../src/dicom';
import { dice } from '../../../src/metrics/overlap';
import { CHANNEL_NAMES } from '../../../src/organs';
import { generateCase } from '../../../src/phantom/generate';
import { dicomFiles } from '../../../src/phantom/series';

const index = validateModelIndex(JSON.parse(readFileSync('public/models/index.json', 'utf8')));
const shipped = defaultModel(index)!;

describe('shipped model', () => {
  test('index lists only committed packages, with one default under 40 MB', () => {
    expect(shipped).toBeDefined();
    for (const m of index.models) {
      const dir = join('public', m.path);
      expect(existsSync(join(dir, 'model.json')), `${m.id}: ${dir}model.json`).toBe(true);
      expect(existsSync(join(dir, 'manifest.json')), `${m.id}: ${dir}manifest.json`).toBe(true);
    }
    const weights = JSON.parse(readFileSync(join('public', shipped.path, 'model.json'), 'utf8'))
      .weightsManifest.flatMap((g: { paths: string[] }) => g.paths)
      .reduce((n: number, p: string) => n + statSync(join('public', shipped.path, p)).size, 0);
    expect(weights).toBeGreaterThan(1e6);
    expect(weights).toBeLessThan(40e6);
  });

  test('contours lungs, heart, trachea and spinal cord of an unseen thorax phantom (wasm)', async () => {
    expect((await selectBackend({ gpu: null })).backend).toBe('wasm');
    const model = await loadModel(dirUrl(join('public', shipped.path)), { fetchFunc: fileFetch });
    expect(model.manifest.variant).toBe('attention_hpa');
    const c = generateCase({ seed: 777, region: 'thorax', matrix: 160, spacing: 2.5, slice: 5 });
    const files = [...dicomFiles(c)].map(([name, bytes]) => ({ name, bytes }));
    const ct = buildCtVolume(scanDicomFiles(files).series[0], files);
    const r = await segmentVolume(model, ct, { protocol: 'thorax' });
    model.dispose();
    const score: Record<string, number> = {};
    for (const name of ['Lung_L', 'Lung_R', 'Heart', 'Trachea', 'SpinalCord']) {
      const ch = CHANNEL_NAMES.indexOf(name);
      const truth = c.labelsAll.map((v) => (v === ch ? 1 : 0));
      expect(
        truth.reduce((a, b) => a + b, 0),
        `${name} in the phantom`,
      ).toBeGreaterThan(50);
      score[name] = dice(
        r.labels.map((v) => (v === ch ? 1 : 0)),
        truth,
      );
    }
    console.log(`shipped model ${shipped.id} on phantom seed 777 (thorax, 2.5 mm pixels, 5 mm slices), DSC:`, score);
    expect(score.Lung_L).toBeGreaterThan(0.9);
    expect(score.Lung_R).toBeGreaterThan(0.9);
    expect(score.Heart).toBeGreaterThan(0.8);
    expect(score.Trachea).toBeGreaterThan(0.6);
    expect(score.SpinalCord).toBeGreaterThan(0.5);
  }, 240_000);
});
