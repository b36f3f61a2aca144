/**
 * App state that other parts read: the open CT, the viewer API, and a way to post a notice.
 * Engine and overlay panels get the same values as props (SidebarPanelProps, mounted by panels.ts); use this
 * hook deeper down. Panels import their props type from here, not from panels.ts (which imports them).
 */
import { createContext, useContext } from 'react';
import type { CtVolume } from '../volume/volume';
import type { ViewerApi } from '../viewer/viewer';
import type { Notice } from './notices';

export interface AppState {
  /** The open CT (one HU buffer; null before a series is loaded). Replaced, never mutated, on a new load. */
  ct: CtVolume | null;
  /** The three-plane viewer over `ct`; null while it starts. */
  viewer: ViewerApi | null;
  /** False when any geometry finding has severity 'error' (DESIGN 3.5). */
  segmentationAllowed: boolean;
  /** Show a banner; a notice with the same id replaces the earlier one. */
  notify: (notice: Notice) => void;
  dismiss: (id: string) => void;
}

/** What a sidebar panel gets (src/app/panels.ts mounts them when a CT is open). */
export type SidebarPanelProps = AppState & { ct: NonNullable<AppState['ct']> };

export const AppContext = createContext<AppState>({
  ct: null,
  viewer: null,
  segmentationAllowed: false,
  notify: () => {},
  dismiss: () => {},
});

export const useAppState = (): AppState => useContext(AppContext);
