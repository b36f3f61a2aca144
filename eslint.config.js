// ESLint flat config (issue 13): typescript-eslint, no import cycles, and the layers of src/ as
// import-x/no-restricted-paths zones. The layers are described in README.md ("Layout") and in the README of
// each folder of src/. `npm run lint` runs this and `prettier --check .`.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Pure layers: data and math, no React, no Cornerstone, no DOM UI, no Node APIs. */
const PURE = [
  './src/volume/**',
  './src/dicom/**',
  './src/contours/**',
  './src/rtstruct/**',
  './src/seg/**',
  './src/metrics/**',
  './src/nifti/**',
  './src/labels/**',
  './src/compare/**',
  './src/phantom/**',
  './src/engine/*.ts',
  './src/engine/programs/**',
  './src/pipeline/*.ts',
  './src/cli/**',
  './src/store/**',
  './src/organs.{ts,json}',
  './src/organ{Volumes.ts,Codes.json,Names.ts}',
];
/** UI: React components, Cornerstone, the app shell. */
const UI = [
  './src/app/**',
  './src/ui/**',
  './src/overlay/**',
  './src/viewer/**',
  './src/edit/*.tsx',
  './src/engine/ui/**',
  './src/**/*.tsx',
];
/** Node only (child processes, file system, Chromium, Dawn): the CLI, the PACS node, the shared server. */
const NODE = [
  './src/node/**',
  './src/engine/node/**',
  './src/pacs/node/**',
  './src/dicom/nodeCodecs.{ts,tsx}',
  './src/batch/{build,discover,models,outputs,reference,run,server}.ts',
];
/** Browser code: everything under src/ that runs in the page. */
const BROWSER = [
  './src/app/**',
  './src/ui/**',
  './src/overlay/**',
  './src/viewer/**',
  './src/edit/**',
  './src/review/**',
  './src/pacs/*.ts',
  './src/pacs/*.tsx',
  './src/batch/page.{ts,tsx}',
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'public/**', 'training/**', 'out/**', 'test-results/**', '**/*.cjs', '**/*.d.mts'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['{src,tests,scripts,bench}/**/*.{ts,tsx,mjs,js}', '*.{ts,js}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: {
      // Unused code is already an error of tsc (noUnusedLocals / noUnusedParameters); this one only repeats it.
      '@typescript-eslint/no-unused-vars': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/**',
              from: ['./tests/**', './scripts/**', './bench/**'],
              message:
                'src/ is the product: it never imports tests, scripts or benchmarks (shared Node helpers live in src/node).',
            },
            {
              target: PURE,
              from: UI,
              message:
                'a pure layer (volume, dicom, contours, rtstruct, seg, metrics, nifti, labels, engine core) never imports UI code.',
            },
            {
              target: PURE,
              from: NODE,
              message: 'a pure layer never imports Node-only code (src/node, */node/, the batch CLI).',
            },
            {
              target: './src/batch/**',
              from: ['./src/app/**', './src/overlay/**', './src/edit/**', './src/review/**', './src/**/*.tsx'],
              message:
                'the batch CLI and its page never import the app UI (pure steps live in their layer: rtstruct, nifti, labels).',
            },
            {
              target: BROWSER,
              from: NODE,
              message: 'browser code never imports Node-only code (src/node, */node/, the batch CLI).',
            },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@tensorflow/tfjs-backend-webgpu',
              message: 'the WebGPU backend object is a tfjs internal: use src/engine/tfjsInternals.ts.',
            },
          ],
          patterns: [
            {
              group: ['@tensorflow/*/dist/*', '@tensorflow/*/src/*'],
              message:
                'tfjs internals live behind src/engine/tfjsInternals.ts (and the wasm asset URLs in src/engine/assets/wasmPaths.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine's node/ folder is Node-only by design; its files may import each other and the core.
    files: ['src/engine/node/**'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    // Test doubles and parsed JSON reports are deliberately untyped in tests and scripts.
    files: ['tests/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The argument parsers of the benchmarks use `(a.x = v), i++` sequences.
    files: ['bench/**'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['src/engine/tfjsInternals.ts', 'src/engine/assets/wasmPaths.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
