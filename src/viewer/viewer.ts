/**
 * The three linked MPR viewports (axial, sagittal, coronal) over one CtVolume, and the API other parts
 * use to draw on them (overlay engineer: labelmap segmentation; engine: progress re-renders).
 *
 * World coordinates: Cornerstone places slice k at origin + k * spacing[2] * normal (uniform mean
 * spacing). For series with non-uniform spacing this differs slightly from the true LPS position of the
 * slice; always convert with `worldToLps` / `lpsToWorld` (identical for uniformly spaced series).
 */
import {
  cache,
  Enums as CoreEnums,
  eventTarget,
  RenderingEngine,
  setVolumesForViewports,
  utilities as csUtils,
  volumeLoader,
  type Types as CoreTypes,
} from '@cornerstonejs/core';
import {
  CrosshairsTool,
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  synchronizers,
  SynchronizerManager,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import { lpsToVoxel, voxelToLps } from '../dicom/coords';
import type { CtVolume, Vec3 } from '../volume/volume';
import { initCornerstone } from './cornerstone';
import { DEFAULT_PRESET, voiRangeOf, windowOf, type WindowPreset } from './presets';

export type PlaneId = 'axial' | 'sagittal' | 'coronal';
export const PLANES: readonly PlaneId[] = ['axial', 'sagittal', 'coronal'];

/** Reference-line colours; the viewport frames use the same colours. */
export const PLANE_COLOURS: Record<PlaneId, string> = {
  axial: 'rgb(230, 96, 96)',
  sagittal: 'rgb(232, 197, 71)',
  coronal: 'rgb(92, 194, 122)',
};

/** Which LPS axis a plane's slice position is measured along (x for sagittal, y coronal, z axial). */
export const PLANE_AXIS: Record<PlaneId, 0 | 1 | 2> = { axial: 2, sagittal: 0, coronal: 1 };

export type PrimaryTool = 'windowLevel' | 'crosshairs' | 'pan' | 'zoom';

export interface SliceInfo {
  /** 0-based slice index in this plane, and the number of slices. */
  index: number;
  count: number;
  /** Patient coordinate (mm) of the displayed plane along PLANE_AXIS[plane] (true slice position). */
  positionMm: number;
}

export interface CursorInfo {
  plane: PlaneId;
  lps: Vec3;
  /** Voxel index (i, j, k) and its HU; `hu` is null outside the volume. */
  voxel: Vec3;
  hu: number | null;
}

export interface ViewerApi {
  readonly ct: CtVolume;
  readonly renderingEngine: RenderingEngine;
  readonly renderingEngineId: string;
  readonly viewportIds: Readonly<Record<PlaneId, string>>;
  /** Cornerstone volume id of the CT (no ':' in it; it would be read as a loader scheme). */
  readonly volumeId: string;
  readonly toolGroupId: string;
  /** Move all three planes (and the crosshairs) to a patient position (LPS mm). */
  jumpTo(lps: Vec3): void;
  /** Re-render all three viewports (after changing a labelmap or other actor data). */
  render(): void;
  setPreset(preset: WindowPreset): void;
  setWindow(window: number, level: number): void;
  getWindow(): { window: number; level: number };
  setPrimaryTool(tool: PrimaryTool): void;
  /** Scroll one plane by whole slices. */
  scroll(plane: PlaneId, delta: number): void;
  resetView(): void;
  sliceInfo(plane: PlaneId): SliceInfo;
  /** HU and position under a canvas point (CSS pixels relative to the viewport element). */
  probe(plane: PlaneId, canvasXY: [number, number]): CursorInfo | null;
  worldToLps(world: Vec3): Vec3;
  lpsToWorld(lps: Vec3): Vec3;
  /** Called (at most once per frame) after any camera or window change. Returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
  destroy(): void;
}

let instance = 0;

function continuousIndex(ct: CtVolume, world: Vec3): Vec3 {
  const d: Vec3 = [world[0] - ct.origin[0], world[1] - ct.origin[1], world[2] - ct.origin[2]];
  const dot = (a: Vec3) => a[0] * d[0] + a[1] * d[1] + a[2] * d[2];
  return [dot(ct.rowCosines) / ct.spacing[0], dot(ct.colCosines) / ct.spacing[1], dot(ct.normal) / ct.spacing[2]];
}

function indexToWorld(ct: CtVolume, ijk: Vec3): Vec3 {
  const out: Vec3 = [...ct.origin];
  for (let a = 0; a < 3; a++) {
    out[a] +=
      ijk[0] * ct.spacing[0] * ct.rowCosines[a] +
      ijk[1] * ct.spacing[1] * ct.colCosines[a] +
      ijk[2] * ct.spacing[2] * ct.normal[a];
  }
  return out;
}

/**
 * createLocalVolume gives every per-slice image the volume origin as its position and no frame of
 * reference; tools that look up "the image at this plane" (getClosestImageId, labelmaps, annotations)
 * then find nothing. Give slice k its own plane metadata at its Cornerstone-world position.
 */
function registerSliceMetadata(ct: CtVolume, imageIds: readonly string[], frameOfReferenceUID: string): void {
  imageIds.forEach((imageId, k) => {
    const position = indexToWorld(ct, [0, 0, k]);
    csUtils.genericMetadataProvider.add(imageId, {
      type: CoreEnums.MetadataModules.IMAGE_PLANE,
      metadata: {
        frameOfReferenceUID,
        rows: ct.dims[1],
        columns: ct.dims[0],
        imageOrientationPatient: [...ct.rowCosines, ...ct.colCosines],
        rowCosines: ct.rowCosines,
        columnCosines: ct.colCosines,
        imagePositionPatient: position,
        sliceLocation: ct.slices[k]?.position[2],
        pixelSpacing: [ct.spacing[1], ct.spacing[0]],
        rowPixelSpacing: ct.spacing[1],
        columnPixelSpacing: ct.spacing[0],
        sliceThickness: ct.spacing[2],
      },
    });
    const image = cache.getImage(imageId);
    if (image) image.FrameOfReferenceUID = frameOfReferenceUID;
  });
}

/** Create the rendering engine, the Cornerstone volume (sharing ct.hu), viewports and tools. */
export async function createViewer(elements: Record<PlaneId, HTMLDivElement>, ct: CtVolume): Promise<ViewerApi> {
  await initCornerstone();
  const n = ++instance;
  const renderingEngineId = `aa-engine-${n}`;
  const volumeId = `aa-ct-${n}`;
  const toolGroupId = `aa-mpr-${n}`;
  const voiSyncId = `aa-voi-${n}`;
  const viewportIds: Record<PlaneId, string> = { axial: `axial-${n}`, sagittal: `sagittal-${n}`, coronal: `coronal-${n}` };

  const hu = ct.hu;
  const metaFor = ct.meta.frameOfReferenceUID || `aa-for-${n}`;
  const volume = volumeLoader.createLocalVolume(volumeId, {
    metadata: {
      BitsAllocated: hu instanceof Int16Array ? 16 : 32,
      BitsStored: hu instanceof Int16Array ? 16 : 32,
      SamplesPerPixel: 1,
      HighBit: hu instanceof Int16Array ? 15 : 31,
      PhotometricInterpretation: 'MONOCHROME2',
      PixelRepresentation: 1,
      Modality: ct.meta.modality || 'CT',
      SeriesInstanceUID: ct.meta.seriesInstanceUID,
      ImageOrientationPatient: [...ct.rowCosines, ...ct.colCosines],
      PixelSpacing: [ct.spacing[1], ct.spacing[0]],
      FrameOfReferenceUID: metaFor,
      Columns: ct.dims[0],
      Rows: ct.dims[1],
      voiLut: [voiRangeOf(DEFAULT_PRESET.window, DEFAULT_PRESET.level)].map((r) => ({
        windowWidth: r.upper - r.lower,
        windowCenter: (r.upper + r.lower) / 2,
      })),
      VOILUTFunction: 'LINEAR',
    },
    dimensions: ct.dims,
    spacing: ct.spacing,
    origin: ct.origin,
    direction: [...ct.rowCosines, ...ct.colCosines, ...ct.normal] as CoreTypes.Mat3,
    scalarData: hu,
  });
  // The buffer was filled before the volume existed: make sure the texture is (re)built from it.
  volume.invalidate?.();
  registerSliceMetadata(ct, volume.imageIds, metaFor);

  const renderingEngine = new RenderingEngine(renderingEngineId);
  const orientation: Record<PlaneId, CoreEnums.OrientationAxis> = {
    axial: CoreEnums.OrientationAxis.AXIAL,
    sagittal: CoreEnums.OrientationAxis.SAGITTAL,
    coronal: CoreEnums.OrientationAxis.CORONAL,
  };
  renderingEngine.setViewports(
    PLANES.map((p) => ({
      viewportId: viewportIds[p],
      type: CoreEnums.ViewportType.ORTHOGRAPHIC,
      element: elements[p],
      defaultOptions: { orientation: orientation[p], background: [0, 0, 0] as CoreTypes.Point3 },
    })),
  );
  const ids = PLANES.map((p) => viewportIds[p]);
  await setVolumesForViewports(renderingEngine, [{ volumeId }], ids);
  const viewport = (p: PlaneId) => renderingEngine.getViewport(viewportIds[p]) as CoreTypes.IVolumeViewport;

  const applyVoi = (window: number, level: number) => {
    for (const p of PLANES) viewport(p).setProperties({ voiRange: voiRangeOf(window, level) });
  };
  applyVoi(DEFAULT_PRESET.window, DEFAULT_PRESET.level);

  const toolGroup = ToolGroupManager.createToolGroup(toolGroupId);
  if (!toolGroup) throw new Error(`tool group ${toolGroupId} exists already`);
  for (const id of ids) toolGroup.addViewport(id, renderingEngineId);
  const colourOf = (viewportId: string) => PLANE_COLOURS[PLANES.find((p) => viewportIds[p] === viewportId) ?? 'axial'];
  toolGroup.addTool(CrosshairsTool.toolName, {
    getReferenceLineColor: colourOf,
    getReferenceLineControllable: () => true,
    getReferenceLineDraggableRotatable: () => false,
    getReferenceLineSlabThicknessControlsOn: () => false,
  });
  toolGroup.addTool(WindowLevelTool.toolName);
  toolGroup.addTool(PanTool.toolName);
  toolGroup.addTool(ZoomTool.toolName);
  toolGroup.addTool(StackScrollTool.toolName);
  const { MouseBindings } = ToolEnums;
  const primaryTools: Record<PrimaryTool, string> = {
    windowLevel: WindowLevelTool.toolName,
    crosshairs: CrosshairsTool.toolName,
    pan: PanTool.toolName,
    zoom: ZoomTool.toolName,
  };
  // Fixed secondary bindings, as in clinical viewers: middle = pan, right = zoom, wheel = slices.
  const fixedBindings: Record<string, { mouseButton: number }[]> = {
    [PanTool.toolName]: [{ mouseButton: MouseBindings.Auxiliary }],
    [ZoomTool.toolName]: [{ mouseButton: MouseBindings.Secondary }],
    [StackScrollTool.toolName]: [{ mouseButton: MouseBindings.Wheel }],
  };
  // Crosshairs only draw the linked reference lines (Enabled: no drag or rotation handles). The
  // 'crosshairs' left-button mode is our own pointer handler below, which moves the shared centre.
  let primary: PrimaryTool = 'windowLevel';
  const setPrimaryTool = (tool: PrimaryTool) => {
    primary = tool;
    for (const [key, name] of Object.entries(primaryTools) as [PrimaryTool, string][]) {
      if (name === CrosshairsTool.toolName) continue;
      const bindings = [...(fixedBindings[name] ?? [])];
      if (key === tool) bindings.push({ mouseButton: MouseBindings.Primary });
      if (bindings.length) toolGroup.setToolActive(name, { bindings });
      else toolGroup.setToolPassive(name);
    }
  };
  toolGroup.setToolEnabled(CrosshairsTool.toolName);
  toolGroup.setToolActive(StackScrollTool.toolName, { bindings: fixedBindings[StackScrollTool.toolName] });
  setPrimaryTool('windowLevel');

  const voiSync = synchronizers.createVOISynchronizer(voiSyncId, { syncInvertState: false, syncColormap: false });
  for (const id of ids) voiSync.add({ renderingEngineId, viewportId: id });

  renderingEngine.render();

  // Change notification, coalesced to one call per animation frame.
  const listeners = new Set<() => void>();
  let pending = 0;
  const notify = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      for (const l of listeners) l();
    });
  };
  const events = [CoreEnums.Events.CAMERA_MODIFIED, CoreEnums.Events.VOI_MODIFIED, CoreEnums.Events.IMAGE_RENDERED];
  for (const p of PLANES) for (const e of events) elements[p].addEventListener(e, notify);

  const worldToLps = (world: Vec3): Vec3 => {
    const [i, j, k] = continuousIndex(ct, world);
    return voxelToLps(ct, i, j, k);
  };
  const lpsToWorld = (lps: Vec3): Vec3 => indexToWorld(ct, lpsToVoxel(ct, lps));

  const crosshairs = () => toolGroup.getToolInstance(CrosshairsTool.toolName) as CrosshairsTool | undefined;

  /** Nearest voxel centre: planes then show real slices, never a blend of two. */
  const snapWorld = (world: Vec3): Vec3 => {
    const ijk = continuousIndex(ct, world).map((v, a) => Math.max(0, Math.min(ct.dims[a] - 1, Math.round(v)))) as Vec3;
    return indexToWorld(ct, ijk);
  };
  const moveCentre = (world: Vec3) => {
    const snapped = snapWorld(world);
    const tool = crosshairs();
    if (tool) tool.setToolCenter(snapped as CoreTypes.Point3);
    else for (const p of PLANES) viewport(p).jumpToWorld(snapped as CoreTypes.Point3);
    renderingEngine.render();
  };
  const pointerHandlers = PLANES.map((plane) => {
    const handler = (e: PointerEvent) => {
      if (primary !== 'crosshairs') return;
      if (e.type === 'pointerdown' ? e.button !== 0 : (e.buttons & 1) === 0) return;
      const r = elements[plane].getBoundingClientRect();
      const world = viewport(plane).canvasToWorld([e.clientX - r.left, e.clientY - r.top]) as Vec3;
      if (world.every(Number.isFinite)) moveCentre(world);
    };
    elements[plane].addEventListener('pointerdown', handler);
    elements[plane].addEventListener('pointermove', handler);
    return () => {
      elements[plane].removeEventListener('pointerdown', handler);
      elements[plane].removeEventListener('pointermove', handler);
    };
  });

  const sliceInfo = (plane: PlaneId): SliceInfo => {
    const cam = viewport(plane).getCamera();
    const fp = cam.focalPoint as Vec3;
    const ijk = continuousIndex(ct, fp);
    const n3 = cam.viewPlaneNormal as Vec3;
    // The volume axis this plane scrolls through: the one most parallel to the view normal.
    const axes = [ct.rowCosines, ct.colCosines, ct.normal];
    const along = axes.map((a) => Math.abs(a[0] * n3[0] + a[1] * n3[1] + a[2] * n3[2]));
    const axis = along.indexOf(Math.max(...along));
    const count = ct.dims[axis];
    const index = Math.max(0, Math.min(count - 1, Math.round(ijk[axis])));
    const snapped: Vec3 = [...ijk];
    snapped[axis] = index;
    const lps = voxelToLps(ct, snapped[0], snapped[1], snapped[2]);
    return { index, count, positionMm: lps[PLANE_AXIS[plane]] };
  };

  const probe = (plane: PlaneId, xy: [number, number]): CursorInfo | null => {
    const vp = viewport(plane);
    const world = vp.canvasToWorld(xy as CoreTypes.Point2) as Vec3;
    if (!world.every(Number.isFinite)) return null;
    const ijk = continuousIndex(ct, world);
    const v: Vec3 = [Math.round(ijk[0]), Math.round(ijk[1]), Math.round(ijk[2])];
    const inside = v.every((x, a) => x >= 0 && x < ct.dims[a]);
    const hu = inside ? ct.hu[v[0] + v[1] * ct.dims[0] + v[2] * ct.dims[0] * ct.dims[1]] : null;
    return { plane, lps: voxelToLps(ct, ijk[0], ijk[1], ijk[2]), voxel: v, hu };
  };

  const api: ViewerApi = {
    ct,
    renderingEngine,
    renderingEngineId,
    viewportIds,
    volumeId,
    toolGroupId,
    jumpTo(lps) {
      moveCentre(lpsToWorld(lps));
    },
    render: () => renderingEngine.render(),
    setPreset: (preset) => {
      applyVoi(preset.window, preset.level);
      renderingEngine.render();
    },
    setWindow: (window, level) => {
      applyVoi(Math.max(1, window), level);
      renderingEngine.render();
    },
    getWindow: () => {
      const voi = viewport('axial').getProperties()?.voiRange;
      return voi ? windowOf(voi) : { window: DEFAULT_PRESET.window, level: DEFAULT_PRESET.level };
    },
    setPrimaryTool,
    scroll: (plane, delta) => {
      viewport(plane).scroll(delta);
    },
    resetView: () => {
      for (const p of PLANES) viewport(p).resetCamera();
      crosshairs()?.resetCrosshairs?.();
      renderingEngine.render();
    },
    sliceInfo,
    probe,
    worldToLps,
    lpsToWorld,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      for (const p of PLANES) for (const e of events) elements[p].removeEventListener(e, notify);
      for (const off of pointerHandlers) off();
      if (pending) cancelAnimationFrame(pending);
      listeners.clear();
      SynchronizerManager.destroySynchronizer(voiSyncId);
      // Disable the crosshairs before the group goes: that unbinds its global listeners (tool group and volume
      // events) and removes its annotations. Left bound, they fire for the next viewer's events and throw
      // "Cannot read properties of undefined (reading 'viewportsInfo')" from this destroyed group (issue 17).
      try {
        toolGroup.setToolDisabled(CrosshairsTool.toolName);
      } catch (e) {
        console.warn('crosshairs teardown', e);
      }
      ToolGroupManager.destroyToolGroup(toolGroupId);
      renderingEngine.destroy();
      // Drop the volume and its per-slice views (only ours: a new viewer may exist already) so the HU
      // buffer can be garbage-collected.
      for (const imageId of volume.imageIds) {
        if (cache.getImageLoadObject(imageId)) cache.removeImageLoadObject(imageId, { force: true });
      }
      cache.removeVolumeLoadObject(volumeId);
    },
  };
  // Crosshair centre changes do not always fire camera events on every viewport.
  eventTarget.addEventListener(ToolEnums.Events.CROSSHAIR_TOOL_CENTER_CHANGED, notify);
  const baseDestroy = api.destroy;
  api.destroy = () => {
    eventTarget.removeEventListener(ToolEnums.Events.CROSSHAIR_TOOL_CENTER_CHANGED, notify);
    baseDestroy();
  };
  return api;
}
