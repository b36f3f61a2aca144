#!/usr/bin/env node
// `npm test`: every suite in order, stops with a non-zero exit code on the first failure.
// Checks the tools the suites need first and says clearly what is missing and how to install it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const APT =
  'apt-get install -y chromium python3-torch python3-numpy python3-nibabel python3-pydicom python3-pytest python3-scipy dicom3tools plastimatch dcmtk orthanc orthanc-dicomweb';
const need = [
  ['/usr/bin/chromium', 'Debian chromium (end-to-end tests)'],
  ['/usr/bin/dciodvfy', 'dicom3tools (DICOM validation)'],
  ['/usr/bin/plastimatch', 'plastimatch (RTSTRUCT round trip)'],
  ['/usr/bin/dcmdump', 'dcmtk (dcmdump)'],
  ['/usr/sbin/Orthanc', 'orthanc (PACS tests)'],
  ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', 'orthanc-dicomweb (PACS tests)'],
];
const missing = need.filter(([p]) => !existsSync(p)).map(([, what]) => what);
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy, pytest'], { stdio: 'ignore' });
if (torch.status !== 0) missing.push('Debian python3-torch, python3-numpy, python3-pytest (training tests)');
if (!existsSync('node_modules')) missing.push('node packages: run `npm ci` (or `npm install`)');
if (missing.length) {
  console.error(
    `npm test: missing prerequisites:\n  - ${missing.join('\n  - ')}\nOn Debian 12, as root: ${APT}\n(.ci/run installs all of them.)`,
  );
  process.exit(2);
}

// The real data (DESIGN.md 7) is not in the repository. Without it the tests that need real CT or labels skip
// themselves, each with its reason in the report; everything else runs on generated data. Said first and last.
const DATA = '../shared/data';
const dataLine = existsSync(DATA)
  ? `test data: ${DATA} found: the tests on real CT and labels run too`
  : `test data: ${DATA} not found: the tests that need real CT or labels (OpenKBP, the TotalSegmentator example, HNSCC-RT, the anatomy sets) are skipped, each saying so in the report; all others run on generated data`;
console.log(dataLine);

const only = process.argv.slice(2);
const suites = [
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint (eslint: layers, no cycles; prettier)', 'npm', ['run', '--silent', 'lint']],
  ['unit + gpu (vitest)', 'npx', ['vitest', 'run']],
  ['python (pytest)', '/usr/bin/python3', ['-m', 'pytest', '-q', 'training/tests']],
  // the bundled example (public/example, a generated phantom, about 3 s): the build copies it into dist/, so the
  // end-to-end tests run on the example a user opens, not on e2e.mjs's small synthetic stand-in
  ['example (bundled phantom)', 'npx', ['tsx', 'scripts/example.ts', '--if-missing']],
  ['build', 'npx', ['vite', 'build']],
  ['end-to-end (playwright, chromium)', 'node', ['scripts/e2e.mjs']],
];
const t0 = Date.now();
for (const [name, cmd, args] of suites) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  if (name.startsWith('python') && !existsSync('training/tests')) continue;
  if (name.startsWith('end-to-end') && !existsSync('scripts/e2e.mjs')) continue;
  console.log(`\n=== ${name} ===`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  console.log(`=== ${name}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t) / 1000).toFixed(0)} s ===`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
console.log(`\nall suites passed in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${dataLine}`);
