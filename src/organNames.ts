/**
 * ROI name -> organ of the organ table, for imported structure sets: TG-263 names (any case), the paper's
 * names, and the spellings clinical systems use ("Cord", "Rt Parotid", "Brain stem", "L parotid",
 * "Lt Lung", "Spinal_Cord", ...). Unknown names map to nothing; the importer keeps them with their own colour.
 */
import { ORGANS, organByTg263, type Organ } from './organs';

type Side = 'L' | 'R' | '';

/** Base names (lower case, words joined by one space, laterality removed) -> TG-263 stem. */
const SYNONYMS: Record<string, string> = {
  brainstem: 'Brainstem',
  'brain stem': 'Brainstem',
  'constrictor naris': 'Musc_Constrict',
  constrictor: 'Musc_Constrict',
  constrictors: 'Musc_Constrict',
  'pharyngeal constrictors': 'Musc_Constrict',
  'pharyngeal constrictor': 'Musc_Constrict',
  'musc constrict': 'Musc_Constrict',
  ear: 'Ear_Internal',
  'inner ear': 'Ear_Internal',
  'ear internal': 'Ear_Internal',
  'internal ear': 'Ear_Internal',
  cochlea: 'Ear_Internal',
  eye: 'Eye',
  globe: 'Eye',
  hypophysis: 'Pituitary',
  pituitary: 'Pituitary',
  'pituitary gland': 'Pituitary',
  larynx: 'Larynx',
  mandible: 'Bone_Mandible',
  'bone mandible': 'Bone_Mandible',
  'oral cavity': 'Cavity_Oral',
  'cavity oral': 'Cavity_Oral',
  parotid: 'Parotid',
  'parotid gland': 'Parotid',
  smg: 'Glnd_Submand',
  submandibular: 'Glnd_Submand',
  'submandibular gland': 'Glnd_Submand',
  'glnd submand': 'Glnd_Submand',
  cord: 'SpinalCord',
  'spinal cord': 'SpinalCord',
  spinalcord: 'SpinalCord',
  'sublingual gland': 'Glnd_Sublingual',
  sublingual: 'Glnd_Sublingual',
  'glnd sublingual': 'Glnd_Sublingual',
  'temporal lobe': 'Lobe_Temporal',
  'lobe temporal': 'Lobe_Temporal',
  tmj: 'Joint_TM',
  'joint tm': 'Joint_TM',
  'temporomandibular joint': 'Joint_TM',
  trachea: 'Trachea',
  heart: 'Heart',
  lung: 'Lung',
  eso: 'Esophagus',
  esophagus: 'Esophagus',
  oesophagus: 'Esophagus',
  gallbladder: 'Gallbladder',
  'gall bladder': 'Gallbladder',
  kidney: 'Kidney',
  'bag bowel': 'Bag_Bowel',
  bowel: 'Bag_Bowel',
  'bowel bag': 'Bag_Bowel',
  liver: 'Liver',
  pancreas: 'Pancreas',
  spleen: 'Spleen',
  stomach: 'Stomach',
};

const LEFT = new Set(['l', 'lt', 'left', 'lft', 'sin']);
const RIGHT = new Set(['r', 'rt', 'right', 'rgt', 'dx']);

/** Splits "Rt Parotid", "Parotid_R", "parotidL"? -> words; finds the side. */
function parse(name: string): { base: string; side: Side } {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2') // SpinalCord -> Spinal Cord, ParotidL stays (no lower->upper after L)
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let side: Side = '';
  const rest: string[] = [];
  for (const w of words) {
    if (LEFT.has(w) && !side) side = 'L';
    else if (RIGHT.has(w) && !side) side = 'R';
    else rest.push(w);
  }
  return { base: rest.join(' '), side };
}

/** The organ an ROI name stands for, or undefined. */
export function organForRoiName(name: string): Organ | undefined {
  const trimmed = name.trim();
  if (!trimmed) return undefined;
  const exact = organByTg263(trimmed);
  if (exact) return exact;
  const byPaper = ORGANS.find((o) => o.paper.toLowerCase() === trimmed.toLowerCase());
  if (byPaper) return byPaper;
  const { base, side } = parse(trimmed);
  const stem = SYNONYMS[base] ?? SYNONYMS[base.replace(/ /g, '')];
  if (!stem) return undefined;
  const paired = ORGANS.some((o) => o.tg263 === `${stem}_L`);
  if (paired) return side ? organByTg263(`${stem}_${side}`) : undefined;
  return side ? undefined : organByTg263(stem);
}
