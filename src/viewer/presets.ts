/** Window presets (HU). Width/level values as commonly used in radiotherapy planning systems. */
export interface WindowPreset {
  id: string;
  label: string;
  /** Keyboard shortcut shown in the toolbar. */
  key: string;
  window: number;
  level: number;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'soft-tissue', label: 'Soft tissue', key: '1', window: 400, level: 40 },
  { id: 'lung', label: 'Lung', key: '2', window: 1500, level: -600 },
  { id: 'bone', label: 'Bone', key: '3', window: 1800, level: 400 },
  { id: 'brain', label: 'Brain', key: '4', window: 80, level: 40 },
];

export const DEFAULT_PRESET = WINDOW_PRESETS[0];

export const voiRangeOf = (window: number, level: number) => ({ lower: level - window / 2, upper: level + window / 2 });

export const windowOf = (voi: { lower: number; upper: number }) => ({
  window: voi.upper - voi.lower,
  level: (voi.upper + voi.lower) / 2,
});
