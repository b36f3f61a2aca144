/**
 * Right-hand sidebar panels. The engine's SegmentPanel and the overlay's OrganPanel register here:
 *
 *   import { SegmentPanel } from '../pipeline/ui/SegmentPanel';
 *   export const SIDEBAR_PANELS: SidebarPanel[] = [
 *     { id: 'segment', title: 'Auto-contouring', Component: SegmentPanel },
 *     { id: 'organs', title: 'Organs', Component: OrganPanel },
 *   ];
 *
 * A panel is mounted when a CT is open and gets the app state as props (also available via useAppState()).
 */
import type { ComponentType } from 'react';
import { OrganPanel, SegmentPanelWithOverlay } from '../overlay/panels';
import { SendPanel } from '../pacs/SendPanel';
import { ReviewPanel } from '../review/ReviewPanel';
import type { SidebarPanelProps } from '../ui/context';

export type { SidebarPanelProps };

export interface SidebarPanel {
  id: string;
  title: string;
  Component: ComponentType<SidebarPanelProps>;
}

export const SIDEBAR_PANELS: SidebarPanel[] = [
  { id: 'segment', title: 'Auto-contouring', Component: SegmentPanelWithOverlay },
  { id: 'organs', title: 'Organs', Component: OrganPanel },
  { id: 'pacs', title: 'PACS', Component: SendPanel },
  { id: 'review', title: 'Review: compare and DICOM SEG', Component: ReviewPanel },
];
