/**
 * Coded meaning of the app's organs for DICOM SEG (src/organCodes.json, next to the organ table): category
 * Anatomical Structure, type = the organ's SNOMED CT concept, laterality as the type modifier.
 */
import table from '../organCodes.json';
import { ORGANS, organByTg263, type Organ } from '../organs';

export interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export interface OrganCoding {
  category: Code;
  type: Code;
  /** Left / Right for paired organs. */
  modifier?: Code;
}

interface Entry {
  type: Code;
  laterality?: 'L' | 'R';
}

const ENTRIES = table.organs as Record<string, Entry>;
const LATERALITY = table.laterality as Record<'L' | 'R', Code>;
export const ANATOMICAL_STRUCTURE: Code = table.category;

/** The codes of an organ; throws for an organ without an entry (the table test keeps them in step). */
export function organCoding(organ: Organ): OrganCoding {
  const e = ENTRIES[organ.tg263];
  if (!e) throw new Error(`no SEG code for ${organ.tg263} in organCodes.json`);
  return {
    category: { ...ANATOMICAL_STRUCTURE },
    type: { ...e.type },
    ...(e.laterality ? { modifier: { ...LATERALITY[e.laterality] } } : {}),
  };
}

/** The organ whose type code (and laterality modifier, when the organ is paired) matches, or undefined. */
export function organForCodes(type: Partial<Code> | undefined, modifier?: Partial<Code>): Organ | undefined {
  if (!type?.CodeValue) return undefined;
  const side =
    modifier?.CodeValue === LATERALITY.L.CodeValue ? 'L' : modifier?.CodeValue === LATERALITY.R.CodeValue ? 'R' : undefined;
  const hits = ORGANS.filter((o) => {
    const e = ENTRIES[o.tg263];
    return e && e.type.CodeValue === type.CodeValue && e.type.CodingSchemeDesignator === (type.CodingSchemeDesignator ?? 'SCT');
  });
  if (hits.length === 1 && !ENTRIES[hits[0].tg263].laterality) return hits[0];
  const sided = hits.find((o) => ENTRIES[o.tg263].laterality === side);
  return sided ? organByTg263(sided.tg263) : undefined;
}
