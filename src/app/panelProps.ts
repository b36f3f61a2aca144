/** The props every sidebar panel gets (its own module, so panels do not import the registry that lists them). */
import type { AppState } from './context';

export type SidebarPanelProps = AppState & { ct: NonNullable<AppState['ct']> };
