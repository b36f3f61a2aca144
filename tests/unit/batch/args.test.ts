import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/batch/args';
import { UsageError } from '../../../src/cli/options';
import { commandLine } from '../../../src/batch/run';

describe('segment command line', () => {
  it('defaults', () => {
    const o = parseArgs(['--input', 'a', '--out', 'o']);
    expect(o).toEqual({
      inputs: [{ path: 'a' }],
      out: 'o',
      protocol: 'whole',
      model: null,
      backend: null,
      threads: null,
      workers: null,
      body: true,
      build: true,
      timeoutMin: 60,
      dist: null,
      cleanup: true,
      seg: false,
    });
  });

  it('--seg asks for seg.dcm beside RS.dcm', () => {
    expect(parseArgs(['--input', 'a', '--out', 'o', '--seg']).seg).toBe(true);
  });

  it('each --reference belongs to the --input before it', () => {
    const o = parseArgs(['--input', 'a', '--reference', 'ra', '--input', 'b', '--input', 'c', '--reference', 'rc', '--out', 'o']);
    expect(o.inputs).toEqual([{ path: 'a', reference: 'ra' }, { path: 'b' }, { path: 'c', reference: 'rc' }]);
  });

  it('"--reference auto" once applies to every input without its own reference', () => {
    const o = parseArgs([
      '--input',
      'a',
      '--reference',
      'x.nii.gz',
      '--input',
      'b',
      '--reference',
      'auto',
      '--input',
      'c',
      '--out',
      'o',
    ]);
    expect(o.inputs).toEqual([
      { path: 'a', reference: 'x.nii.gz' },
      { path: 'b', reference: 'auto' },
      { path: 'c', reference: 'auto' },
    ]);
  });

  it('--workers takes a whole number >= 1', () => {
    expect(parseArgs(['--input', 'a', '--out', 'o', '--workers', '2']).workers).toBe(2);
    expect(() => parseArgs(['--input', 'a', '--out', 'o', '--workers', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--input', 'a', '--out', 'o', '--workers', '2.5'])).toThrow(/whole number/);
  });

  it('--threads takes a whole number >= 1', () => {
    expect(parseArgs(['--input', 'a', '--out', 'o', '--threads', '1']).threads).toBe(1);
    expect(parseArgs(['--input', 'a', '--out', 'o', '--threads', '4']).threads).toBe(4);
    expect(() => parseArgs(['--input', 'a', '--out', 'o', '--threads', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--input', 'a', '--out', 'o', '--threads', '1.5'])).toThrow(/whole number/);
  });

  it('--backend auto is the app rule (null)', () => {
    expect(parseArgs(['--input', 'a', '--out', 'o', '--backend', 'auto']).backend).toBeNull();
  });
  it('protocol spellings, backend, model, timeout, build flags', () => {
    const o = parseArgs([
      '--input',
      'a',
      '--out',
      'o',
      '--protocol',
      'head-neck',
      '--backend',
      'wasm',
      '--model',
      'm',
      '--timeout',
      '2.5',
      '--no-build',
      '--dist',
      'd',
    ]);
    expect(o).toMatchObject({ protocol: 'head_neck', backend: 'wasm', model: 'm', timeoutMin: 2.5, build: false, dist: 'd' });
    expect(parseArgs(['--input', 'a', '--out', 'o', '--protocol', 'head_neck']).protocol).toBe('head_neck');
  });

  it('--no-cleanup turns the connected-component clean-up off', () => {
    expect(parseArgs(['--input', 'a', '--out', 'o', '--no-cleanup']).cleanup).toBe(false);
  });

  it.each([
    [['--out', 'o'], /--input/],
    [['--input', 'a'], /--out/],
    [['--reference', 'r', '--input', 'a', '--out', 'o'], /must follow/],
    [['--input', 'a', '--reference', 'r', '--reference', 's', '--out', 'o'], /two --reference/],
    [['--input', 'a', '--out', 'o', '--protocol', 'pelvis'], /--protocol/],
    [['--input', 'a', '--out', 'o', '--backend', 'cuda'], /--backend/],
    [['--input', '--out', 'o'], /--input needs a value/],
    [['--input', 'a', '--out', 'o', '--bogus'], /unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('records the command line with shell quoting', () => {
    expect(commandLine(['--input', 'a b', '--out', "it's"])).toBe(`npm run segment -- --input 'a b' --out 'it'\\''s'`);
  });
});
