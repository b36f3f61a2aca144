import { describe, expect, it } from 'vitest';
import { backendArg, numberArg, oneOf, parseOptions, protocolArg, UsageError, type OptionTable } from '../../../src/cli/options';
import { parseArgs as parsePhantomArgs } from '../../../scripts/phantom';

interface Opts {
  files: string[];
  n: number;
  quiet: boolean;
}
const TABLE: OptionTable<Opts> = [
  { name: '--file', value: (o, v) => void o.files.push(v) },
  { name: '--n', value: (o, v, name) => void (o.n = numberArg(name, v, 'positive')) },
  { name: '--quiet', flag: (o) => void (o.quiet = true) },
];
const parse = (argv: string[]) => parseOptions(argv, TABLE, { files: [], n: 1, quiet: false });

describe('option table', () => {
  it('applies rows in argv order, repeatable values and switches', () => {
    expect(parse(['--file', 'a', '--quiet', '--file', 'b', '--n', '3'])).toEqual({ files: ['a', 'b'], n: 3, quiet: true });
    expect(parse([])).toEqual({ files: [], n: 1, quiet: false });
  });

  it('refuses unknown options, missing values and an option given as a value', () => {
    expect(() => parse(['--frob'])).toThrow(/unknown option --frob/);
    expect(() => parse(['--file'])).toThrow(/--file needs a value/);
    expect(() => parse(['--file', '--quiet'])).toThrow(/--file needs a value/);
    expect(() => parse(['a'])).toThrow(UsageError);
  });

  it('--help and -h ask for the usage (an empty UsageError)', () => {
    for (const h of ['--help', '-h']) {
      try {
        parse(['--file', 'a', h]);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        expect((e as Error).message).toBe('');
      }
    }
  });

  it('number checks', () => {
    expect(numberArg('--x', '2.5', 'positive')).toBe(2.5);
    expect(numberArg('--x', '0', 'non-negative')).toBe(0);
    expect(numberArg('--x', '-4')).toBe(-4);
    expect(() => numberArg('--x', '0', 'positive')).toThrow(/--x needs a positive number \(got "0"\)/);
    expect(() => numberArg('--x', '-1', 'non-negative')).toThrow(/non-negative/);
    expect(() => numberArg('--x', 'ten')).toThrow(/--x needs a number/);
    expect(() => numberArg('--x', '')).toThrow(UsageError);
    expect(() => numberArg('--x', 'Infinity')).toThrow(UsageError);
  });

  it('words, protocols and backends', () => {
    expect(oneOf('--p', 'FFS', ['HFS', 'FFS'])).toBe('FFS');
    expect(() => oneOf('--p', 'XYZ', ['HFS', 'FFS'])).toThrow(/--p must be one of HFS, FFS/);
    expect(protocolArg('head-neck')).toBe('head_neck');
    expect(() => protocolArg('legs')).toThrow(/--protocol/);
    expect(backendArg('auto', true)).toBeNull();
    expect(() => backendArg('auto', false)).toThrow(/--backend must be one of webgpu, webgl, wasm \(got "auto"\)/);
  });

  it('the phantom command line uses the same table rules', () => {
    const o = parsePhantomArgs(['--seed', '7', '--out', 'o', '--region', 'thorax', '--position', 'ffs', '--nifti', '--no-dicom']);
    expect(o).toMatchObject({ seed: 7, out: 'o', region: 'thorax', position: 'FFS', nifti: true, dicom: false });
    expect(() => parsePhantomArgs(['--out', 'o'])).toThrow(/--seed is required/);
    expect(() => parsePhantomArgs(['--seed', '1', '--out', 'o', '--region', 'legs'])).toThrow(/--region must be one of/);
    expect(() => parsePhantomArgs(['--seed', 'x', '--out', 'o'])).toThrow(/--seed needs a number/);
  });
});
