/** The load step's series lookup: a missing series names the unreadable files. */
import { describe, expect, it } from 'vitest';
import type { DicomSeries } from '../../../src/dicom/series';
import { PipelineError } from '../../../src/pipeline/errors';
import { findSeries } from '../../../src/pipeline/load';

const series = (key: string) => ({ key }) as DicomSeries;

describe('findSeries', () => {
  it('finds the series by key', () => {
    const b = series('b');
    expect(findSeries({ series: [series('a'), b], corrupt: [] }, 'b')).toBe(b);
  });

  it('a missing series: PipelineError at load, naming up to two unreadable files', () => {
    const corrupt = [
      { fileName: 'x.dcm', reason: 'truncated' },
      { fileName: 'y.dcm', reason: 'bad tag' },
      { fileName: 'z.dcm', reason: 'empty' },
    ];
    let err: unknown;
    try {
      findSeries({ series: [series('a')], corrupt }, 'b');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ step: 'load', code: 'not-loadable' });
    expect((err as Error).message).toContain('3 files unreadable: x.dcm: truncated; y.dcm: bad tag');
    expect((err as Error).message).not.toContain('z.dcm');
  });
});
