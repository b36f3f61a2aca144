/**
 * Plausible adult volume ranges (ml) of the 33 organs as contoured on CT: the phantom tests check its
 * organs against them, and the organ panel and the batch report flag a contour larger than the organ can
 * be (`implausibleVolume`). The ranges are deliberately wide (about the 2nd to 98th percentile
 * of adults) because the phantom varies habitus and organ size per seed.
 *
 * | ch | organ                  | range ml   | basis                                                                          |
 * |----|------------------------|------------|--------------------------------------------------------------------------------|
 * |  1 | Brainstem              | 18 - 45    | MRI brainstem volumetry ~25-35 ml; RT brainstem contours 20-40 ml               |
 * |  2 | Musc_Constrict         | 4 - 25     | sup+mid+inf constrictor contours (Christianen et al. 2011 guideline) ~6-15 ml  |
 * |  3 | Ear_Internal_L         | 0.1 - 1.0  | bony labyrinth ~0.2 ml; RT inner-ear contours at CT resolution 0.1-0.6 ml      |
 * |  5 | Eye_L (and R)          | 5 - 10     | adult globe 6.5-7.5 ml (axial length 22-25 mm)                                 |
 * |  7 | Pituitary              | 0.2 - 1.0  | MRI adult pituitary 0.3-0.9 ml (ICRP 89: 0.6 g)                                |
 * |  8 | Larynx                 | 10 - 50    | supraglottic + glottic larynx contours (Brouwer et al. 2015 guideline)         |
 * |  9 | Bone_Mandible          | 40 - 120   | mandible bone volume on CT 50-90 ml                                            |
 * | 10 | Cavity_Oral            | 30 - 130   | oral cavity incl. tongue, RT contours 40-100 ml                                |
 * | 11 | Parotid_L (and R)      | 10 - 50    | CT parotid volume 15-35 ml (mean ~25)                                          |
 * | 13 | Glnd_Submand_L (and R) | 3 - 16     | CT submandibular gland 6-10 ml                                                 |
 * | 15 | SpinalCord             | 12 - 45    | whole cord (foramen magnum to conus) ~20-30 ml incl. partial volume            |
 * | 16 | Glnd_Sublingual        | 1 - 8      | paired sublingual glands 2-4 g each (ICRP 89 salivary glands)                  |
 * | 17 | Lobe_Temporal_L (and R)| 35 - 120   | MRI temporal lobe 60-100 ml; RT temporal-lobe contours 45-90 ml                |
 * | 19 | Joint_TM_L (and R)     | 0.3 - 3.5  | condylar head and joint space, 10-20 mm mediolateral                            |
 * | 21 | Trachea                | 15 - 60    | incl. lumen: 10-13 cm long, 16-22 mm wide                                      |
 * | 22 | Heart                  | 350 - 1000 | whole heart incl. chambers on CT 500-800 ml (ICRP 89: 330 g tissue + blood)    |
 * | 23 | Lung_L                 | 1000 - 3500| CT lung volumes (free breathing) 1.5-3 l each                                  |
 * | 24 | Lung_R                 | 1100 - 3800| right lung ~10 % larger than left                                              |
 * | 25 | Esophagus              | 15 - 70    | cervical + thoracic oesophagus, 25 cm, 15-20 mm wide                            |
 * | 26 | Gallbladder            | 10 - 90    | fasting gallbladder 20-50 ml                                                   |
 * | 27 | Kidney_L (and R)       | 70 - 260   | CT renal volume 120-200 ml (ICRP 89: 310 g for both)                           |
 * | 29 | Bag_Bowel              | 800 - 5000 | abdominopelvic bowel bag (RTOG) 1.5-3.5 l                                      |
 * | 30 | Liver                  | 900 - 2600 | CT liver volume 1200-1900 ml (ICRP 89: 1800 g male, 1400 g female)             |
 * | 31 | Pancreas               | 30 - 130   | CT pancreas 50-100 ml, smaller with age (ICRP 89: 140 g)                       |
 * | 32 | Spleen                 | 60 - 450   | CT spleen 100-250 ml (ICRP 89: 150 g)                                          |
 * | 33 | Stomach                | 100 - 1200 | stomach incl. contents, strongly dependent on filling                          |
 *
 * ICRP 89 = ICRP Publication 89, Basic anatomical and physiological data (2002), reference adult
 * masses (soft tissue about 1.04 g/ml). Guidelines: Brouwer CL et al., Radiother Oncol 2015 (H&N OAR
 * delineation consensus); Christianen ME et al., Radiother Oncol 2011 (swallowing structures).
 */

export const ORGAN_VOLUME_RANGES_ML: Record<number, [number, number]> = {
  1: [18, 45],
  2: [4, 25],
  3: [0.1, 1.0],
  4: [0.1, 1.0],
  5: [5, 10],
  6: [5, 10],
  7: [0.2, 1.0],
  8: [10, 50],
  9: [40, 120],
  10: [30, 130],
  11: [10, 50],
  12: [10, 50],
  13: [3, 16],
  14: [3, 16],
  15: [12, 45],
  16: [1, 8],
  17: [35, 120],
  18: [35, 120],
  19: [0.3, 3.5],
  20: [0.3, 3.5],
  21: [15, 60],
  22: [350, 1000],
  23: [1000, 3500],
  24: [1100, 3800],
  25: [15, 70],
  26: [10, 90],
  27: [70, 260],
  28: [70, 260],
  29: [800, 5000],
  30: [900, 2600],
  31: [30, 130],
  32: [60, 450],
  33: [100, 1200],
};

/** How far above the top of the adult range a contour may go before it is flagged (wide on purpose). */
export const IMPLAUSIBLE_FACTOR = 1.5;

/**
 * A message when a contour's volume is above what the whole organ can be (top of the adult range x
 * IMPLAUSIBLE_FACTOR): almost always false-positive voxels away from the organ. Small volumes are never
 * flagged, since a scan may cover only part of an organ. Pure.
 */
export function implausibleVolume(channel: number, volumeMl: number): string | null {
  const range = ORGAN_VOLUME_RANGES_ML[channel];
  if (!range || !(volumeMl > range[1] * IMPLAUSIBLE_FACTOR)) return null;
  const ml = (v: number) => (v >= 10 ? v.toFixed(0) : String(v));
  return (
    `${volumeMl >= 10 ? volumeMl.toFixed(0) : volumeMl.toFixed(2)} ml is more than this organ can be (adult ${ml(range[0])}–${ml(range[1])} ml): ` +
    'likely false-positive voxels away from the organ; review before use'
  );
}
