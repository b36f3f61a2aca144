/**
 * Overlay display state (which organs and imported structures are shown, selection, opacity, fill or
 * outline) as a pure reducer, so the panel, the keyboard and the tests share one set of rules.
 */
import { ORGANS, type OrganGroup } from '../organs';

export type OverlayMode = 'fill' | 'outline';

export interface OverlayState {
  /** Visible organ channels (1..33) of the app's own structure set. */
  visible: ReadonlySet<number>;
  /** Selected organ channel (keyboard target), or null. */
  selected: number | null;
  /** 0..1, applied to fills (outlines stay opaque enough to see). */
  opacity: number;
  mode: OverlayMode;
  /** Imported structure set: visible label values (ImportedRoi.label). */
  importedVisible: ReadonlySet<number>;
  /** Whether the imported set is shown at all. */
  importedShown: boolean;
}

export type OverlayAction =
  | { type: 'toggle'; channel: number }
  | { type: 'setVisible'; channel: number; visible: boolean }
  | { type: 'group'; group: OrganGroup; visible: boolean }
  | { type: 'all'; visible: boolean }
  | { type: 'select'; channel: number | null }
  /** Move the selection through `order` (the organs listed in the panel) by `delta`. */
  | { type: 'selectStep'; delta: number; order: readonly number[] }
  | { type: 'toggleSelected' }
  | { type: 'opacity'; opacity: number }
  | { type: 'mode'; mode: OverlayMode }
  | { type: 'toggleMode' }
  | { type: 'importedToggle'; label: number }
  | { type: 'importedAll'; visible: boolean; labels: readonly number[] }
  | { type: 'importedShown'; shown: boolean };

export const ALL_CHANNELS: readonly number[] = ORGANS.map((o) => o.channel);

export function initialOverlayState(): OverlayState {
  return {
    visible: new Set(ALL_CHANNELS),
    selected: null,
    opacity: 0.5,
    mode: 'fill',
    importedVisible: new Set(),
    importedShown: true,
  };
}

function withVisible(set: ReadonlySet<number>, channels: readonly number[], visible: boolean): Set<number> {
  const next = new Set(set);
  for (const c of channels) {
    if (visible) next.add(c);
    else next.delete(c);
  }
  return next;
}

export function overlayReducer(state: OverlayState, action: OverlayAction): OverlayState {
  switch (action.type) {
    case 'toggle':
      return { ...state, visible: withVisible(state.visible, [action.channel], !state.visible.has(action.channel)) };
    case 'setVisible':
      return { ...state, visible: withVisible(state.visible, [action.channel], action.visible) };
    case 'group':
      return {
        ...state,
        visible: withVisible(
          state.visible,
          ORGANS.filter((o) => o.group === action.group).map((o) => o.channel),
          action.visible,
        ),
      };
    case 'all':
      return { ...state, visible: action.visible ? new Set(ALL_CHANNELS) : new Set() };
    case 'select':
      return { ...state, selected: action.channel };
    case 'selectStep': {
      if (action.order.length === 0) return state;
      const at = state.selected === null ? -1 : action.order.indexOf(state.selected);
      const from = at < 0 ? (action.delta > 0 ? -1 : action.order.length) : at;
      const to = Math.max(0, Math.min(action.order.length - 1, from + action.delta));
      return { ...state, selected: action.order[to] };
    }
    case 'toggleSelected':
      return state.selected === null ? state : overlayReducer(state, { type: 'toggle', channel: state.selected });
    case 'opacity':
      return { ...state, opacity: Math.max(0, Math.min(1, action.opacity)) };
    case 'mode':
      return { ...state, mode: action.mode };
    case 'toggleMode':
      return { ...state, mode: state.mode === 'fill' ? 'outline' : 'fill' };
    case 'importedToggle':
      return {
        ...state,
        importedVisible: withVisible(state.importedVisible, [action.label], !state.importedVisible.has(action.label)),
      };
    case 'importedAll':
      return { ...state, importedVisible: action.visible ? new Set(action.labels) : new Set() };
    case 'importedShown':
      return { ...state, importedShown: action.shown };
  }
}

/** Keyboard shortcuts of the organ panel: key -> action (null: not ours). */
export function overlayKeyAction(key: string, order: readonly number[]): OverlayAction | null {
  switch (key) {
    case 'v':
      return { type: 'toggleSelected' };
    case 'a':
      return { type: 'all', visible: true };
    case 'n':
      return { type: 'all', visible: false };
    case ']':
      return { type: 'selectStep', delta: 1, order };
    case '[':
      return { type: 'selectStep', delta: -1, order };
    case 'o':
      return { type: 'toggleMode' };
    default:
      return null;
  }
}

/** The shortcut list shown in the panel's help line. */
export const OVERLAY_SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['[ / ]', 'select previous / next organ'],
  ['v', 'show / hide the selected organ'],
  ['a', 'show all organs'],
  ['n', 'hide all organs'],
  ['o', 'fill / outline'],
];
