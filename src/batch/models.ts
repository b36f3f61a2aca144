/**
 * Which model the batch page loads. `--model ID` picks from the built app's models/index.json; `--model DIR`
 * serves a model package folder (e.g. the tiny test fixture) under /batch/models/<id>/. The served index
 * marks the chosen model as the only default, so the page's EngineController loads it (and only it) the way
 * the app loads its default model.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultModel, validateModelIndex, type ModelIndex } from '../engine/manifest';

export interface ModelChoice {
  modelId: string;
  index: ModelIndex;
  mounts: Record<string, string>;
}

export class ModelChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelChoiceError';
  }
}

function readIndex(distDir: string): ModelIndex {
  const p = join(distDir, 'models', 'index.json');
  if (!existsSync(p)) return { models: [] };
  return validateModelIndex(JSON.parse(readFileSync(p, 'utf8')), p);
}

export function chooseModel(distDir: string, model: string | null): ModelChoice {
  const index = readIndex(distDir);
  const mounts: Record<string, string> = {};
  let models = index.models;
  let id: string;
  const dir = model ? resolve(model) : '';
  if (model && existsSync(dir) && statSync(dir).isDirectory()) {
    const manifestPath = join(dir, 'manifest.json');
    if (!existsSync(manifestPath))
      throw new ModelChoiceError(
        `--model ${model}: the folder has no manifest.json (a model package holds manifest.json + model.json + weights)`,
      );
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { id?: unknown; name?: unknown };
    if (typeof m.id !== 'string' || !/^[\w.-]+$/.test(m.id))
      throw new ModelChoiceError(`--model ${model}: manifest.json has no usable "id"`);
    id = m.id;
    const path = `batch/models/${id}/`;
    mounts[`/${path}`] = dir;
    models = [...models.filter((e) => e.id !== id), { id, name: typeof m.name === 'string' ? m.name : id, path }];
  } else if (model) {
    if (!models.some((e) => e.id === model)) {
      const known = models.map((e) => e.id).join(', ') || 'none';
      throw new ModelChoiceError(
        `--model ${model} is neither a model package folder nor a model id of the built app (installed: ${known})`,
      );
    }
    id = model;
  } else {
    const d = defaultModel(index);
    if (!d)
      throw new ModelChoiceError(
        'no model is installed (public/models/index.json lists none); make one as training/README.md says, or pass --model DIR',
      );
    id = d.id;
  }
  return { modelId: id, index: { models: models.map((e) => ({ ...e, default: e.id === id })) }, mounts };
}
