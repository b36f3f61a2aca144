import { describe, expect, test } from 'vitest';
import { defaultModel, validateManifest, validateModelIndex } from '../../../src/engine/manifest';
import { ManifestError } from '../../../src/engine/errors';

/** A valid manifest written out by hand from CONTRACTS 4 (not produced by the code under test). */
function goodManifest(): Record<string, unknown> {
  return {
    format: 'attention-anatomy-model/1',
    id: 'aa-hpa-v1',
    version: '1.0.0',
    name: 'AttentionAnatomy + HPA',
    variant: 'attention_hpa',
    created: '2026-11-26',
    input: {
      name: 'ct',
      size: 192,
      pixelSpacingMm: 2.0,
      sliceSpacingMm: 2.5,
      slices: 5,
      huMin: -1000,
      huMax: 1500,
      huOffset: 0,
      huScale: 1000,
      centre: 'image-centre',
    },
    outputs: { seg: 'seg', attention: 'attention', region: 'region' },
    channels: [
      'Background',
      'Brainstem',
      'Musc_Constrict',
      'Ear_Internal_L',
      'Ear_Internal_R',
      'Eye_L',
      'Eye_R',
      'Pituitary',
      'Larynx',
      'Bone_Mandible',
      'Cavity_Oral',
      'Parotid_L',
      'Parotid_R',
      'Glnd_Submand_L',
      'Glnd_Submand_R',
      'SpinalCord',
      'Glnd_Sublingual',
      'Lobe_Temporal_L',
      'Lobe_Temporal_R',
      'Joint_TM_L',
      'Joint_TM_R',
      'Trachea',
      'Heart',
      'Lung_L',
      'Lung_R',
      'Esophagus',
      'Gallbladder',
      'Kidney_L',
      'Kidney_R',
      'Bag_Bowel',
      'Liver',
      'Pancreas',
      'Spleen',
      'Stomach',
    ],
    regions: ['head', 'upper_chest', 'chest', 'upper_abdomen', 'abdomen'],
    sources: [{ id: 'phantom-head-neck', description: 'phantom', cases: 40, annotated: ['Brainstem', 'SpinalCord'] }],
    metrics: [
      { dataset: 'phantom held-out (n=4)', meanDsc: 0.8, meanHd95Mm: 4.1, perOrgan: { Brainstem: { dsc: 0.9, hd95Mm: 2 } } },
    ],
    weights: { dtype: 'float16', bytes: 1234 },
    intendedUse: 'Research',
    disclaimer: 'Not a medical device. Research use only.',
  };
}

function expectFieldError(m: unknown, field: string, text?: RegExp) {
  try {
    validateManifest(m);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as ManifestError).field).toBe(field);
    expect((e as Error).message).toContain(`"${field}"`);
    if (text) expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error(`expected a ManifestError for ${field}`);
}

describe('manifest validation (CONTRACTS 4)', () => {
  test('accepts the contract example', () => {
    const m = validateManifest(goodManifest());
    expect(m.input.size).toBe(192);
    expect(m.channels).toHaveLength(34);
    expect(m.outputs.seg).toBe('seg');
  });
  test('names the bad field', () => {
    const cases: [(m: any) => void, string, RegExp?][] = [
      [(m) => (m.format = 'other/1'), 'format'],
      [(m) => delete m.id, 'id', /missing/],
      [(m) => (m.input.size = 0), 'input.size'],
      [(m) => (m.input.size = '192'), 'input.size', /number/],
      [(m) => (m.input.slices = 3), 'input.slices', /5/],
      [(m) => (m.input.huMax = -2000), 'input.huMax', /greater/],
      [(m) => (m.input.huScale = 0), 'input.huScale'],
      [(m) => (m.input.pixelSpacingMm = -1), 'input.pixelSpacingMm'],
      [(m) => (m.input.centre = 'origin'), 'input.centre'],
      [(m) => delete m.outputs.attention, 'outputs.attention'],
      [(m) => (m.variant = 'resnet'), 'variant', /attention_hpa/],
      [(m) => ([m.channels[3], m.channels[4]] = [m.channels[4], m.channels[3]]), 'channels[3]', /Ear_Internal_L/],
      [(m) => m.channels.pop(), 'channels', /34/],
      [(m) => (m.regions[0] = 'skull'), 'regions[0]'],
      [(m) => (m.sources[0].annotated[1] = 'Spinal Cord'), 'sources[0].annotated[1]'],
      [(m) => (m.sources = {}), 'sources', /array/],
      [(m) => (m.metrics[0].meanDsc = null), 'metrics[0].meanDsc'],
      [(m) => (m.metrics[0].perOrgan = { Brain: { dsc: 1, hd95Mm: 1 } }), 'metrics[0].perOrgan.Brain'],
      [(m) => (m.weights.dtype = 'int4'), 'weights.dtype'],
      [(m) => (m.disclaimer = 'Use with care.'), 'disclaimer', /medical device/],
    ];
    for (const [mutate, field, text] of cases) {
      const m = goodManifest();
      mutate(m);
      expectFieldError(m, field, text);
    }
  });
  test('accepts the committed tiny-random fixture (random weights: no sources, no metrics)', async () => {
    const { readFileSync } = await import('node:fs');
    const m = validateManifest(JSON.parse(readFileSync('tests/fixtures/models/tiny-random/manifest.json', 'utf8')));
    expect(m.input.size).toBe(64);
    expect(m.sources).toEqual([]);
  });
  test('rejects a non-object', () => {
    expect(() => validateManifest([])).toThrow(ManifestError);
  });
});

describe('model index', () => {
  test('valid index, default model', () => {
    const idx = validateModelIndex({
      models: [
        { id: 'a', name: 'A', path: 'models/a' },
        { id: 'b', name: 'B', path: 'models/b/', default: true },
      ],
    });
    expect(idx.models[0].path).toBe('models/a/');
    expect(defaultModel(idx)?.id).toBe('b');
    expect(defaultModel(validateModelIndex({ models: [{ id: 'a', name: 'A', path: 'models/a/' }] }))?.id).toBe('a');
  });
  test('errors name the field', () => {
    expect(() => validateModelIndex({})).toThrow(/"models" is missing/);
    expect(() => validateModelIndex({ models: [{ id: 'a', name: 'A', path: '/abs/' }] })).toThrow(/"models\[0\]\.path"/);
    expect(() =>
      validateModelIndex({
        models: [
          { id: 'a', name: 'A', path: 'x/' },
          { id: 'a', name: 'B', path: 'y/' },
        ],
      }),
    ).toThrow(/"models\[1\]\.id"/);
  });
});
