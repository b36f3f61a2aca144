/**
 * The RTSTRUCT of a whole-body phantom (all 33 organs, exact ground truth), head first and feet first, checked with
 * the real tools: dciodvfy reports no errors, plastimatch (reading the CT itself) rasterises every organ of 1 ml or
 * more back with DSC >= 0.97, and dcmjs finds every contour on the z of the CT image it references.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { ORGANS } from '../../../src/organs';
import { exportRtStruct } from '../../../src/rtstruct/export';
import { readNiftiLabels } from '../../../src/nifti/labels';
import { resampleLabelsToCt } from '../../../src/labels/resample';
import { ctGeometry, repoRoot } from './ct';
import { ctSliceZByUid, DCIODVFY, dciodvfy, PLASTIMATCH, plastimatchRasterize } from './tools';

const haveTools = existsSync(DCIODVFY) && existsSync(PLASTIMATCH);

function phantom(position: 'HFS' | 'FFS', seed: number): string {
  const out = mkdtempSync(path.join(os.tmpdir(), `phantom-${position}-`));
  const r = spawnSync(
    'npx',
    [
      'tsx',
      'scripts/phantom.ts',
      '--seed',
      String(seed),
      '--out',
      out,
      '--region',
      'whole',
      '--matrix',
      '128',
      '--position',
      position,
      '--workers',
      '1',
      '--quiet',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`phantom generator failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

describe.skipIf(!haveTools)('RTSTRUCT of a whole-body phantom (skipped without dciodvfy / plastimatch)', () => {
  for (const [position, seed] of [
    ['HFS', 11],
    ['FFS', 12],
  ] as const) {
    describe(position, () => {
      const dir = phantom(position, seed);
      const ctDir = path.join(dir, 'dicom');
      const { volume, files } = ctGeometry(ctDir);
      const organValues = new Map(ORGANS.map((o) => [o.channel, o.channel]));
      const labels = resampleLabelsToCt(
        readNiftiLabels(new Uint8Array(readFileSync(path.join(dir, 'labels.nii.gz')))),
        volume,
        organValues,
      );
      const r = exportRtStruct(volume, labels, { date: new Date(2024, 5, 7), body: false }); // HU not loaded here; BODY: body-uids.test.ts
      const file = path.join(dir, r.fileName);
      writeFileSync(file, r.bytes);

      it('has all 33 organs', () => {
        expect(volume.meta.patientPosition).toBe(position);
        expect(r.roiCount).toBe(33);
      });

      it('passes dciodvfy without errors', () => {
        const v = dciodvfy(file);
        expect(v.output).toMatch(/RTStructureSet/);
        expect(v.errors).toEqual([]);
      });

      it('plastimatch rasterises every organ of 1 ml or more back with DSC >= 0.97', () => {
        const { masks, grid } = plastimatchRasterize(file, ctDir, volume);
        expect(grid).toBe('fixed');
        const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
        const report: string[] = [];
        let worst = 1;
        for (const o of ORGANS) {
          const back = masks.get(o.tg263);
          expect(back, `no mask for ${o.tg263}`).toBeDefined();
          let a = 0;
          let b = 0;
          let both = 0;
          for (let n = 0; n < labels.length; n++) {
            const t = labels[n] === o.channel;
            if (t) a++;
            if (back![n]) b++;
            if (t && back![n]) both++;
          }
          const dsc = a + b ? (2 * both) / (a + b) : 1;
          report.push(`${o.tg263} ${(a * voxelMl).toFixed(1)}ml ${dsc.toFixed(3)}`);
          if (a * voxelMl >= 1) {
            expect(dsc, o.tg263).toBeGreaterThanOrEqual(0.97);
            worst = Math.min(worst, dsc);
          }
        }
        console.log(
          `plastimatch round trip, ${position} phantom ${volume.dims.join('x')}: min DSC ${worst.toFixed(4)} (organs >= 1 ml); ${report.join(', ')}`,
        );
      });

      it('dcmjs: every contour references a CT image of the series and lies on its z', () => {
        const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
          dcmjs.data.DicomMessage.readFile(r.bytes.slice().buffer as ArrayBuffer).dict,
        );
        const zByUid = ctSliceZByUid(files);
        let n = 0;
        for (const rc of ds.ROIContourSequence as NaturalDataset[]) {
          for (const c of rc.ContourSequence as NaturalDataset[]) {
            const z = zByUid.get((c.ContourImageSequence as NaturalDataset[])[0].ReferencedSOPInstanceUID as string);
            expect(z).toBeDefined();
            const data = c.ContourData as number[];
            for (let i = 2; i < data.length; i += 3)
              if (data[i] !== z) throw new Error(`contour point z ${data[i]} on slice z ${z}`);
            n++;
          }
        }
        expect(n).toBe(r.contourCount);
      });
    });
  }
});
