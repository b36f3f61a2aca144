/**
 * Cornerstone3D glue for the organ overlays: the app's label map as a 33-segment labelmap segmentation in all
 * three viewports (colours from src/organs.json), filled in slice by slice as the engine delivers labels, and an
 * imported structure set as outline-only segmentations (one per non-overlapping layer, see rtstruct/import.ts).
 *
 * Imported structures are told apart from the model's (issue 16): an imported RTSTRUCT / SEG set is drawn as
 * outlines only (width 2), never filled, whatever the fill/outline switch says; the organ set is filled (or
 * thicker outlines, width 3). Cornerstone3D 5.14 has no dashed outline for labelmaps (LabelmapStyle: fill, outline, width, opacity
 * only), so the difference is fill and width. A label map loaded from a file replaces the organ set and keeps its
 * style (its provenance, src/labels/provenance.ts, is published and labels the export). The style Cornerstone
 * holds is published on document.body's data-overlay-style (JSON) for tests/e2e/imported-style.spec.ts.
 *
 * The labels live in the label store of the CT (src/store/labelStore.ts): the engine, the label-map loader and
 * the editors write there, and this overlay redraws the slices or voxels each change event names (through
 * MaskedLabels, which zeroes hidden organs in the buffer Cornerstone draws). No copies of the label volume.
 */
import { cache, volumeLoader, type Types as CoreTypes } from '@cornerstonejs/core';
import { Enums as ToolEnums, segmentation } from '@cornerstonejs/tools';
import type { CtVolume } from '../volume/volume';
import { ORGANS } from '../organs';
import type { ImportedStructureSet } from '../rtstruct/import';
import { PROGRESS_EVENT, RUN_END_EVENT, type ProgressDetail } from '../engine/progressEvent';
import { overlayStreamMode, streamRedrawPolicy, streamRedrawWait } from './streamRedraw';
import type { ViewerApi } from '../viewer/viewer';
import { MaskedLabels } from '../labels/maskedLabels';
import type { OverlayState } from '../labels/overlayState';
import type { LabelChange, LabelStore } from '../store/labelStore';

const Labelmap = ToolEnums.SegmentationRepresentations.Labelmap;
/**
 * Outline widths: an imported set's (always outlines), and the organ set's in outline mode, one step thicker so
 * the two are told apart. (Width 1 draws nothing for an unfilled inactive labelmap in Cornerstone3D 5.14.)
 */
export const IMPORTED_OUTLINE_WIDTH = 2;
export const ORGAN_OUTLINE_WIDTH = 3;

/*
 * While the engine streams slices, redraws are rationed (streamRedraw.ts: every 1 s, or every 5 s when the run
 * keeps every core busy; `?overlay=end` / `?overlay=stream` in the page URL). The redraw's cost is measured from
 * the flush to the frame after it.
 */

export interface OrganOverlay {
  /** The label store this overlay draws (the CT's, src/store/current.ts). */
  readonly store: LabelStore;
  /** Applies visibility, opacity and fill/outline to every viewport. */
  apply(state: OverlayState): void;
  /** Shows an imported structure set as outlines (replacing any previous one); null removes it. */
  setImported(set: ImportedStructureSet | null, state: OverlayState): void;
  /** Called after changed labels were drawn (at most once a frame; the store's stats are current). Returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
  destroy(): void;
}

function organColourLUT(): CoreTypes.ColorLUT {
  const lut: CoreTypes.ColorLUT = [[0, 0, 0, 0]];
  for (const o of ORGANS) lut[o.channel] = [o.color[0], o.color[1], o.color[2], 255];
  return lut;
}

function localLabelVolume(viewer: ViewerApi, volumeId: string, data: Uint8Array): void {
  const ct: CtVolume = viewer.ct;
  const ref = cache.getVolume(viewer.volumeId);
  volumeLoader.createLocalVolume(volumeId, {
    metadata: {
      ...(ref?.metadata ?? {}),
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
    } as CoreTypes.Metadata,
    dimensions: ct.dims,
    spacing: ct.spacing,
    origin: ct.origin,
    direction: [...ct.rowCosines, ...ct.colCosines, ...ct.normal] as CoreTypes.Mat3,
    scalarData: data,
    referencedVolumeId: viewer.volumeId,
  });
}

function viewportIds(viewer: ViewerApi): string[] {
  return Object.values(viewer.viewportIds);
}

export function createOrganOverlay(viewer: ViewerApi, store: LabelStore): OrganOverlay {
  const ct = viewer.ct;
  const [cols, rows, nk] = ct.dims;
  const sliceSize = cols * rows;
  if (store.labels.length !== sliceSize * nk) throw new RangeError("the label store is not on this viewer's CT grid");
  const labels = store.labels;
  const segId = `${viewer.volumeId}-organs`;
  const labelVolumeId = `${viewer.volumeId}-organs-labels`;
  // Cornerstone draws `masked.display` (hidden organs zeroed), the export and the stats read `labels`.
  const masked = new MaskedLabels(labels, sliceSize, nk);
  localLabelVolume(viewer, labelVolumeId, masked.display);
  segmentation.addSegmentations([
    {
      segmentationId: segId,
      representation: { type: Labelmap, data: { volumeId: labelVolumeId, referencedVolumeId: viewer.volumeId } },
      config: {
        label: 'Auto OARs',
        segments: Object.fromEntries(ORGANS.map((o) => [o.channel, { label: o.tg263 }])),
      },
    },
  ]);
  const lut = organColourLUT();
  for (const vp of viewportIds(viewer)) {
    segmentation.addLabelmapRepresentationToViewport(vp, [
      { segmentationId: segId, config: { colorLUTOrIndex: lut, useSliceRendering: true } },
    ]);
    segmentation.config.style.setRenderInactiveSegmentations(vp, true);
  }

  let imported: { set: ImportedStructureSet; segIds: string[]; volumeIds: string[]; masked: MaskedLabels[] } | null = null;
  const listeners = new Set<() => void>();
  /** segmentation id -> slices whose drawn labels changed since the last frame */
  const dirty = new Map<string, Set<number>>();
  let labelsChanged = false;
  const markDirty = (id: string, slices: Iterable<number>) => {
    let set = dirty.get(id);
    if (!set) dirty.set(id, (set = new Set()));
    for (const k of slices) set.add(k);
  };
  let frame = 0;
  let streamTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let lastFlush = -Infinity;
  let lastCost = 0;
  /** an engine run is delivering slices (progress events, src/engine/progressEvent.ts) */
  let streaming = false;
  const streamMode = overlayStreamMode(typeof location === 'undefined' ? '' : location.search);
  /** how streamed slices are drawn in the current run (null: at its end) */
  let policy = streamRedrawPolicy(streamMode, false);
  const onProgress = (e: Event) => {
    const p = (e as CustomEvent<ProgressDetail>).detail;
    streaming = p.done < p.total;
    policy = streamRedrawPolicy(streamMode, p.usesEveryCore);
    if (!streaming && policy && dirty.size) schedule(); // the last slice: draw it now (`end`: at the run's end)
  };
  const onRunEnd = () => {
    streaming = false;
    if (dirty.size) schedule();
  };
  if (typeof window !== 'undefined') {
    window.addEventListener(PROGRESS_EVENT, onProgress);
    window.addEventListener(RUN_END_EVENT, onRunEnd);
  }
  const flush = () => {
    frame = 0;
    if (streamTimer) clearTimeout(streamTimer);
    streamTimer = 0;
    const t = performance.now();
    lastFlush = t;
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => (lastCost = performance.now() - t)); // after Cornerstone's render
    for (const [id, set] of dirty) {
      if (set.size === 0) continue;
      const slices = [...set];
      segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(id, slices.length === nk ? undefined : slices);
    }
    dirty.clear();
    viewer.render();
    if (labelsChanged) {
      labelsChanged = false;
      for (const l of listeners) l();
    }
  };
  const schedule = () => {
    if (frame) return;
    frame =
      typeof requestAnimationFrame === 'function' ? requestAnimationFrame(flush) : (setTimeout(flush, 16) as unknown as number);
  };

  /** A streamed slice: drawn with the next allowed redraw. */
  const scheduleStreamed = () => {
    if (!streaming) return schedule();
    if (frame || streamTimer || !policy) return;
    const wait = streamRedrawWait(policy, lastFlush, lastCost, performance.now());
    if (wait <= 0) schedule();
    else
      streamTimer = setTimeout(() => {
        streamTimer = 0;
        if (dirty.size) schedule();
      }, wait);
  };

  const allSlices = Array.from({ length: nk }, (_, k) => k);
  /** `imported`: an imported structure set: outlines only, never filled. */
  const styleFor = (state: OverlayState, imported: boolean) => {
    const fill = !imported && state.mode === 'fill';
    const s = {
      renderFill: fill,
      renderOutline: true,
      fillAlpha: state.opacity,
      outlineOpacity: imported
        ? Math.max(0.6, Math.min(1, state.opacity * 2))
        : state.mode === 'outline'
          ? Math.max(0.35, Math.min(1, state.opacity * 2))
          : Math.min(1, state.opacity + 0.3),
      outlineWidth: imported ? IMPORTED_OUTLINE_WIDTH : state.mode === 'outline' ? ORGAN_OUTLINE_WIDTH : 1,
    };
    return {
      ...s,
      renderFillInactive: s.renderFill,
      renderOutlineInactive: s.renderOutline,
      fillAlphaInactive: s.fillAlpha,
      outlineOpacityInactive: s.outlineOpacity,
      outlineWidthInactive: s.outlineWidth,
    };
  };

  /** Redraws what the store says changed. */
  const onChange = (c: LabelChange) => {
    if (c.kind === 'slices') {
      for (const k of c.slices) masked.refreshSlice(k);
      markDirty(segId, c.slices);
      labelsChanged = true;
      scheduleStreamed();
    } else if (c.kind === 'voxels') {
      markDirty(segId, masked.refreshVoxels(c.flat));
      labelsChanged = true;
      schedule();
    } else if (c.kind === 'replaced') {
      masked.refreshAll();
      markDirty(segId, allSlices);
      labelsChanged = true;
      schedule();
    } else if (c.kind === 'provenance') publishStyle();
  };
  const unsubscribeStore = store.subscribe(onChange);
  // labels already in the store (a viewer made again for the same CT) are drawn at once; the store's statistics
  // say whether there are any (O(slices x organs), not a scan of the whole volume on every series open)
  if (store.stats.all().some((s) => s.voxels > 0)) {
    masked.refreshAll();
    markDirty(segId, allSlices);
    labelsChanged = true;
    schedule();
  }

  const api: OrganOverlay = {
    store,
    apply(state) {
      markDirty(segId, masked.setShown(state.visible));
      imported?.masked.forEach((m, L) => markDirty(imported!.segIds[L], m.setShown(state.importedVisible)));
      for (const vp of viewportIds(viewer)) {
        // Visibility lives in the drawn buffer (MaskedLabels), not in Cornerstone's per-segment flags: those
        // zero an outline thickness that vtk.js may read for the neighbouring label.
        segmentation.config.style.setStyle({ type: Labelmap, viewportId: vp, segmentationId: segId }, styleFor(state, false));
        if (imported) {
          imported.segIds.forEach((id) => {
            segmentation.config.visibility.setSegmentationRepresentationVisibility(
              vp,
              { segmentationId: id, type: Labelmap },
              state.importedShown,
            );
            segmentation.config.style.setStyle({ type: Labelmap, viewportId: vp, segmentationId: id }, styleFor(state, true));
          });
        }
      }
      publishStyle();
      if (dirty.size) flush();
      else viewer.render();
    },
    setImported(set, state) {
      removeImported();
      if (set) {
        const segIds: string[] = [];
        const volumeIds: string[] = [];
        const maskedLayers: MaskedLabels[] = [];
        const importLut: CoreTypes.ColorLUT = [[0, 0, 0, 0]];
        for (const r of set.rois) importLut[r.label] = [r.color[0], r.color[1], r.color[2], 255];
        set.layers.forEach((layer, L) => {
          const id = `${viewer.volumeId}-imported-${L}`;
          const vid = `${id}-labels`;
          const m = new MaskedLabels(layer, sliceSize, nk);
          maskedLayers.push(m);
          localLabelVolume(viewer, vid, m.display);
          segmentation.addSegmentations([
            {
              segmentationId: id,
              representation: { type: Labelmap, data: { volumeId: vid, referencedVolumeId: viewer.volumeId } },
              config: {
                label: `${set.label || 'Imported'} (${L + 1})`,
                segments: Object.fromEntries(set.rois.filter((r) => r.layer === L).map((r) => [r.label, { label: r.name }])),
              },
            },
          ]);
          for (const vp of viewportIds(viewer)) {
            segmentation.addLabelmapRepresentationToViewport(vp, [
              { segmentationId: id, config: { colorLUTOrIndex: importLut, useSliceRendering: true } },
            ]);
          }
          segIds.push(id);
          volumeIds.push(vid);
        });
        imported = { set, segIds, volumeIds, masked: maskedLayers };
        // keep the app's own organs as the active segmentation (the imported set is for comparison)
        for (const vp of viewportIds(viewer)) segmentation.activeSegmentation.setActiveSegmentation(vp, segId);
      }
      api.apply(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      if (typeof window !== 'undefined') {
        window.removeEventListener(PROGRESS_EVENT, onProgress);
        window.removeEventListener(RUN_END_EVENT, onRunEnd);
      }
      if (streamTimer) clearTimeout(streamTimer);
      if (frame) {
        if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
        else clearTimeout(frame);
      }
      unsubscribeStore();
      listeners.clear();
      delete document.body.dataset.overlayStyle;
      removeImported();
      segmentation.removeSegmentation(segId);
      cache.removeVolumeLoadObject(labelVolumeId);
    },
  };

  /** What Cornerstone now holds for the model's set and the first imported layer (read back, for the e2e tests). */
  function publishStyle() {
    const vp = viewportIds(viewer)[0];
    if (!vp || typeof document === 'undefined') return;
    const pick = (id: string) => {
      const st = segmentation.config.style.getStyle({ type: Labelmap, viewportId: vp, segmentationId: id });
      return {
        renderFill: !!st.renderFill,
        renderFillInactive: !!st.renderFillInactive,
        renderOutline: !!st.renderOutline,
        outlineWidth: st.outlineWidth,
        outlineWidthInactive: st.outlineWidthInactive,
      };
    };
    document.body.dataset.overlayStyle = JSON.stringify({
      source: store.provenance().source,
      organs: pick(segId),
      imported: imported ? pick(imported.segIds[0]) : null,
    });
  }

  function removeImported() {
    if (!imported) return;
    for (const id of imported.segIds) segmentation.removeSegmentation(id);
    for (const vid of imported.volumeIds) cache.removeVolumeLoadObject(vid);
    imported = null;
  }

  return api;
}
