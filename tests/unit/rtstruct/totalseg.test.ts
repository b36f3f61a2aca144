/**
 * The real totalseg-example series (Siemens, JPEG 2000, empty SOP / series / study UIDs) with real organ shapes:
 * TotalSegmentator's labels for this very series (example_seg_dicom.nii.gz, a model output, not ground truth)
 * mapped to our organ channels, exported as RTSTRUCT and checked with dciodvfy, plastimatch and dcmjs.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { organByTg263 } from '../../../src/organs';
import { exportRtStruct } from '../../../src/rtstruct/export';
import { readNiftiLabels } from '../../../src/nifti/labels';
import { resampleLabelsToCt } from '../../../src/labels/resample';
import { ctGeometry, dataRoot, totalsegDicom } from './ct';
import { ctSliceZByUid, DCIODVFY, dciodvfy, PLASTIMATCH, plastimatchRasterize } from './tools';

const segFile = path.join(dataRoot, 'real/totalseg-example/example_seg_dicom.nii.gz');
const namesFile = path.join(dataRoot, 'real/totalseg-example/labels_total_v2.json');
const haveData = existsSync(totalsegDicom) && existsSync(segFile) && existsSync(namesFile);
const haveTools = existsSync(DCIODVFY) && existsSync(PLASTIMATCH);

/** TotalSegmentator class names -> our TG-263 organs (the ones that exist in both). */
const TOTALSEG_TO_TG263: Record<string, string> = {
  spleen: 'Spleen',
  kidney_right: 'Kidney_R',
  kidney_left: 'Kidney_L',
  gallbladder: 'Gallbladder',
  liver: 'Liver',
  stomach: 'Stomach',
  pancreas: 'Pancreas',
  esophagus: 'Esophagus',
  trachea: 'Trachea',
  spinal_cord: 'SpinalCord',
  heart: 'Heart',
  lung_upper_lobe_left: 'Lung_L',
  lung_lower_lobe_left: 'Lung_L',
  lung_upper_lobe_right: 'Lung_R',
  lung_middle_lobe_right: 'Lung_R',
  lung_lower_lobe_right: 'Lung_R',
  small_bowel: 'Bag_Bowel',
  duodenum: 'Bag_Bowel',
  colon: 'Bag_Bowel',
};

function labelMap(): Map<number, number> {
  const names = JSON.parse(readFileSync(namesFile, 'utf8')) as Record<string, string>;
  const map = new Map<number, number>();
  for (const [value, name] of Object.entries(names)) {
    const tg = TOTALSEG_TO_TG263[name];
    if (tg) map.set(Number(value), organByTg263(tg)!.channel);
  }
  return map;
}

describe.skipIf(!haveData)(
  'totalseg-example: real organ shapes on a real series with empty UIDs (skipped if ../shared/data is absent)',
  () => {
    const { volume, files } = ctGeometry(totalsegDicom);
    const seg = readNiftiLabels(new Uint8Array(readFileSync(segFile)));
    const labels = resampleLabelsToCt(seg, volume, labelMap());

    it('the NIfTI lands voxel for voxel on the CT grid (same grid, rows flipped in the file)', () => {
      expect(seg.dims).toEqual([512, 512, 20]);
      expect(volume.dims).toEqual([512, 512, 20]);
      const count = (a: ArrayLike<number>, v: number) => {
        let n = 0;
        for (let i = 0; i < a.length; i++) if (a[i] === v) n++;
        return n;
      };
      // counts from the file itself (nibabel: liver 366708, spleen 130634, spinal cord 16338... see SOURCE.md)
      expect(count(labels, organByTg263('Liver')!.channel)).toBe(count(seg.data, 5));
      expect(count(labels, organByTg263('Spleen')!.channel)).toBe(count(seg.data, 1));
      // the liver is on the patient's right (LPS -x), the spleen on the left
      const meanX = (channel: number) => {
        let s = 0;
        let n = 0;
        for (let i = 0; i < labels.length; i++)
          if (labels[i] === channel) {
            s += i % 512;
            n++;
          }
        return volume.origin[0] + (s / n) * volume.spacing[0] * volume.rowCosines[0];
      };
      expect(meanX(organByTg263('Liver')!.channel)).toBeLessThan(-40);
      expect(meanX(organByTg263('Spleen')!.channel)).toBeGreaterThan(40);
    });

    describe.skipIf(!haveTools)('exported RTSTRUCT (skipped without dciodvfy / plastimatch)', () => {
      const r = exportRtStruct(volume, labels, { date: new Date(2024, 0, 2), body: false }); // HU not loaded here; BODY: body-uids.test.ts
      const dir = mkdtempSync(path.join(os.tmpdir(), 'rs-ts-'));
      const file = path.join(dir, r.fileName);
      writeFileSync(file, r.bytes);

      it('falls back to the file meta UIDs and generates the missing series and study UIDs', () => {
        expect(r.referenced.generated).toEqual(['study', 'series', 'sopInstanceFromMeta']);
        expect(r.fileName).toBe('RS_anonymous_20240102.dcm');
      });

      it('passes dciodvfy without errors', () => {
        const v = dciodvfy(file);
        expect(v.output).toMatch(/RTStructureSet/);
        expect(v.errors).toEqual([]);
      });

      it('plastimatch rasterises it back with DSC >= 0.97 for every organ of 1 ml or more', () => {
        const { masks } = plastimatchRasterize(file, totalsegDicom, volume);
        const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
        const present = [...new Set(labels)].filter((c) => c > 0);
        expect(present.length).toBeGreaterThanOrEqual(5);
        const report: string[] = [];
        for (const channel of present) {
          const name = [...Object.values(TOTALSEG_TO_TG263)].find((tg) => organByTg263(tg)!.channel === channel)!;
          const back = masks.get(name);
          expect(back, `no mask for ${name}`).toBeDefined();
          let a = 0;
          let b = 0;
          let both = 0;
          for (let i = 0; i < labels.length; i++) {
            const t = labels[i] === channel;
            if (t) a++;
            if (back![i]) b++;
            if (t && back![i]) both++;
          }
          const dsc = (2 * both) / (a + b);
          report.push(`${name} ${(a * voxelMl).toFixed(1)} ml DSC ${dsc.toFixed(4)}`);
          if (a * voxelMl >= 1) expect(dsc, name).toBeGreaterThanOrEqual(0.97);
        }
        console.log(`plastimatch round trip, totalseg-example (512x512x20): ${report.join('; ')}`);
      });

      it('dcmjs reads back the referenced images (file meta UIDs) and every contour lies on its slice z', () => {
        const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
          dcmjs.data.DicomMessage.readFile(r.bytes.slice().buffer as ArrayBuffer).dict,
        );
        const zByUid = ctSliceZByUid(files);
        expect(zByUid.size).toBe(20);
        const frame = (ds.ReferencedFrameOfReferenceSequence as NaturalDataset[])[0];
        expect(frame.FrameOfReferenceUID).toBe('1.3.12.2.1107.5.1.4.60064.30000022120807274275100000041');
        const series = (
          (frame.RTReferencedStudySequence as NaturalDataset[])[0].RTReferencedSeriesSequence as NaturalDataset[]
        )[0];
        const images = (series.ContourImageSequence as NaturalDataset[]).map((x) => x.ReferencedSOPInstanceUID as string);
        expect(new Set(images)).toEqual(new Set(zByUid.keys()));
        let contours = 0;
        for (const rc of ds.ROIContourSequence as NaturalDataset[]) {
          for (const c of rc.ContourSequence as NaturalDataset[]) {
            const uid = (c.ContourImageSequence as NaturalDataset[])[0].ReferencedSOPInstanceUID as string;
            const z = zByUid.get(uid);
            expect(z, uid).toBeDefined();
            const data = c.ContourData as number[];
            for (let n = 2; n < data.length; n += 3) expect(data[n]).toBe(z);
            contours++;
          }
        }
        expect(contours).toBe(r.contourCount);
      });
    });
  },
);
