/**
 * The organ panel (right-hand sidebar): the 33 organs grouped by head & neck / thorax / abdomen with colour,
 * TG-263 and plain name, visibility, volume and slice range; click an organ to jump to its centre. Global
 * opacity, fill or outline, keyboard shortcuts, RTSTRUCT export (all / visible organs) and import (a second
 * structure set shown as outlines).
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { SidebarPanelProps } from '../ui/context';
import { voxelToLps } from '../dicom/coords';
import { GROUP_LABELS, ORGANS, type OrganGroup } from '../organs';
import { implausibleVolume } from '../organVolumes';
import { importStructureSet, type ImportedStructureSet } from '../rtstruct/import';
import { onStructureImport } from './importRequests';
import { readRtStruct } from '../rtstruct/reader';
import type { Vec3 } from '../volume/volume';
import { ExportControls } from './ExportControls';
import type { OrganStat } from '../labels/organStats';
import { organOverlayFor } from './registry';
import type { OrganOverlay } from './segmentation';
import { LabelMapControls } from './LabelMapControls';
import { EditControls, useEditSession } from '../edit/EditControls';
import { initialOverlayState, OVERLAY_SHORTCUTS, overlayKeyAction, overlayReducer } from '../labels/overlayState';
import './overlay.css';
import { FilePickButton } from '../ui/FilePickButton';

const GROUPS: OrganGroup[] = ['head_neck', 'thorax', 'abdomen'];
const rgb = (c: readonly number[]) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function fmtMl(ml: number): string {
  if (ml <= 0) return '–';
  return ml >= 100 ? `${ml.toFixed(0)} ml` : ml >= 10 ? `${ml.toFixed(1)} ml` : `${ml.toFixed(2)} ml`;
}

export function OrganPanel({ ct, viewer, notify }: SidebarPanelProps) {
  const [overlay, setOverlay] = useState<OrganOverlay | null>(null);
  const [state, dispatch] = useReducer(overlayReducer, undefined, initialOverlayState);
  const [stats, setStats] = useState<OrganStat[]>([]);
  const [imported, setImported] = useState<ImportedStructureSet | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const stateRef = useRef(state);
  const shownSet = useRef<ImportedStructureSet | null>(null);
  stateRef.current = state;

  // One overlay per viewer; the engine feeds the same one (registry.ts).
  useEffect(() => {
    if (!viewer) {
      setOverlay(null);
      return;
    }
    const o = organOverlayFor(viewer);
    setOverlay(o);
    setStats(o.store.stats.all());
    setImported(null);
    shownSet.current = null;
    o.apply(stateRef.current);
    return o.subscribe(() => setStats(o.store.stats.all()));
  }, [viewer]);

  useEffect(() => {
    overlay?.apply(state);
  }, [overlay, state]);

  const statBy = useMemo(() => new Map(stats.map((s) => [s.channel, s])), [stats]);
  const present = useMemo(() => ORGANS.filter((o) => (statBy.get(o.channel)?.voxels ?? 0) > 0), [statBy]);
  const order = useMemo(() => ORGANS.map((o) => o.channel), []);

  const jumpToVoxel = useCallback(
    (c: Vec3 | null) => {
      if (!viewer || !c) return;
      viewer.jumpTo(voxelToLps(ct, c[0], c[1], c[2]));
    },
    [viewer, ct],
  );
  const jumpTo = useCallback((channel: number) => jumpToVoxel(statBy.get(channel)?.centreVoxel ?? null), [statBy, jumpToVoxel]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (
        t &&
        (t instanceof HTMLInputElement ||
          t instanceof HTMLTextAreaElement ||
          t instanceof HTMLSelectElement ||
          t.isContentEditable)
      )
        return;
      const a = overlayKeyAction(e.key, order);
      if (!a) return;
      e.preventDefault();
      dispatch(a);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [order]);

  const showImported = useCallback(
    (set: ImportedStructureSet | null) => {
      if (!overlay || set === shownSet.current) return;
      shownSet.current = set;
      if (!set) {
        overlay.setImported(null, stateRef.current);
        setImported(null);
        return;
      }
      const labels = set.rois.filter((r) => r.voxels > 0).map((r) => r.label);
      const next = overlayReducer(overlayReducer(stateRef.current, { type: 'importedAll', visible: true, labels }), {
        type: 'importedShown',
        shown: true,
      });
      overlay.setImported(set, next);
      dispatch({ type: 'importedAll', visible: true, labels });
      dispatch({ type: 'importedShown', shown: true });
      setImported(set);
    },
    [overlay],
  );
  // A reference imported elsewhere (the review panel's Import SEG) is shown here too.
  useEffect(() => {
    if (!overlay) return;
    const store = overlay.store;
    showImported(store.reference()?.set ?? null);
    return store.subscribe((c) => c.kind === 'reference' && showImported(store.reference()?.set ?? null));
  }, [overlay, showImported]);

  const doImport = async (file: File) => {
    if (!overlay) return;
    setBusy(`Importing ${file.name}…`);
    try {
      const ss = readRtStruct(new Uint8Array(await file.arrayBuffer()));
      const set = importStructureSet(ss, ct);
      showImported(set);
      overlay.store.setReference({ set, fileName: file.name, kind: 'RTSTRUCT' });
      if (set.warnings.length)
        notify({
          id: 'rtstruct-import',
          severity: 'warning',
          title: `Imported ${file.name} with warnings.`,
          detail: set.warnings.join(' '),
        });
    } catch (e) {
      notify({ id: 'rtstruct-import', severity: 'error', title: `${file.name} could not be imported.`, detail: message(e) });
    } finally {
      setBusy(null);
    }
  };

  // structure sets found beside the CT (src/app/StructureOffers.tsx) arrive here once the overlay exists
  const importRef = useRef(doImport);
  importRef.current = doImport;
  useEffect(() => (overlay ? onStructureImport((f) => void importRef.current(f)) : undefined), [overlay]);

  const removeImported = () => {
    shownSet.current = null;
    overlay?.setImported(null, state);
    setImported(null);
    overlay?.store.setReference(null);
  };

  const selected = state.selected;
  const store = overlay?.store ?? null;
  const [, edits] = useEditSession(store, ct);
  return (
    <div className="oar-panel" data-testid="organ-panel">
      <div className="oar-controls">
        <div className="oar-row">
          <button onClick={() => dispatch({ type: 'all', visible: true })} title="Show all organs (A)" data-testid="organs-all">
            All
          </button>
          <button onClick={() => dispatch({ type: 'all', visible: false })} title="Hide all organs (N)" data-testid="organs-none">
            None
          </button>
          <div className="oar-seg" role="group" aria-label="Display">
            <button
              className={state.mode === 'fill' ? 'active' : ''}
              aria-pressed={state.mode === 'fill'}
              onClick={() => dispatch({ type: 'mode', mode: 'fill' })}
              title="Filled (O)"
              data-testid="mode-fill"
            >
              Fill
            </button>
            <button
              className={state.mode === 'outline' ? 'active' : ''}
              aria-pressed={state.mode === 'outline'}
              onClick={() => dispatch({ type: 'mode', mode: 'outline' })}
              title="Outline (O)"
              data-testid="mode-outline"
            >
              Outline
            </button>
          </div>
        </div>
        <label className="oar-row oar-opacity">
          <span className="muted">Opacity</span>
          <input
            type="range"
            min={0}
            max={100}
            value={Math.round(state.opacity * 100)}
            data-testid="overlay-opacity"
            onChange={(e) => dispatch({ type: 'opacity', opacity: Number(e.target.value) / 100 })}
          />
          <span className="oar-num">{Math.round(state.opacity * 100)}%</span>
        </label>
      </div>

      <EditControls ct={ct} viewer={viewer} store={store} selected={selected} />

      {present.length === 0 && (
        <p className="muted small" data-testid="organs-empty">
          No contours yet: run the segmentation (or load a label map).
        </p>
      )}

      {GROUPS.map((g) => {
        const organs = ORGANS.filter((o) => o.group === g);
        const foundOrgans = organs.filter((o) => (statBy.get(o.channel)?.voxels ?? 0) > 0);
        const found = foundOrgans.length;
        const shown = foundOrgans.filter((o) => state.visible.has(o.channel)).length;
        return (
          <div className="oar-group" key={g} data-testid={`group-${g}`}>
            <div className="oar-group-head">
              <span className="oar-group-name">{GROUP_LABELS[g]}</span>
              <span
                className="muted small"
                data-testid={`group-${g}-count`}
                title={`${shown} shown of ${found} found (${organs.length} organs in the group)`}
              >
                {shown}/{found} shown
              </span>
              <span className="oar-spacer" />
              <button
                className="ghost small"
                onClick={() => dispatch({ type: 'group', group: g, visible: true })}
                data-testid={`group-${g}-all`}
              >
                all
              </button>
              <button
                className="ghost small"
                onClick={() => dispatch({ type: 'group', group: g, visible: false })}
                data-testid={`group-${g}-none`}
              >
                none
              </button>
            </div>
            <ul className="oar-list">
              {organs.map((o) => {
                const s = statBy.get(o.channel);
                const has = (s?.voxels ?? 0) > 0;
                const visible = state.visible.has(o.channel);
                const warn = has ? implausibleVolume(o.channel, s!.volumeMl) : null;
                return (
                  <li
                    key={o.channel}
                    className={`oar-organ${has ? '' : ' absent'}${selected === o.channel ? ' selected' : ''}`}
                    data-testid={`organ-${o.tg263}`}
                    data-visible={visible}
                    data-present={has}
                    data-edited={edits.edited.has(o.channel)}
                  >
                    <input
                      type="checkbox"
                      checked={visible}
                      aria-label={`Show ${o.plain}`}
                      data-testid={`toggle-${o.tg263}`}
                      onChange={() => dispatch({ type: 'toggle', channel: o.channel })}
                    />
                    <span
                      className="oar-swatch"
                      style={{ background: visible ? rgb(o.color) : 'transparent', borderColor: rgb(o.color) }}
                    />
                    <button
                      className="oar-name"
                      title={has ? `${o.plain}: jump to centre` : `${o.plain}: not found`}
                      onClick={() => {
                        dispatch({ type: 'select', channel: o.channel });
                        if (has) jumpTo(o.channel);
                      }}
                    >
                      <span className="oar-tg">
                        {o.tg263}
                        {edits.edited.has(o.channel) && (
                          <span title="Edited by hand" data-testid={`edited-${o.tg263}`}>
                            {' '}
                            ✎
                          </span>
                        )}
                      </span>
                      <span className="oar-plain">{o.plain}</span>
                    </button>
                    <span
                      className={`oar-num${warn ? ' oar-implausible' : ''}`}
                      data-testid={`ml-${o.tg263}`}
                      title={warn ?? undefined}
                    >
                      {warn && (
                        <span aria-label="implausible volume" data-testid={`implausible-${o.tg263}`}>
                          ⚠{' '}
                        </span>
                      )}
                      {has ? fmtMl(s!.volumeMl) : '–'}
                    </span>
                    <span className="oar-num oar-slices" title="Slice range (1-based, inferior to superior)">
                      {s?.sliceRange ? `${s.sliceRange[0] + 1}–${s.sliceRange[1] + 1}` : ''}
                    </span>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}

      <div className="oar-actions">
        <ExportControls
          ct={ct}
          store={store}
          visible={state.visible}
          anyPresent={present.length > 0}
          busy={busy}
          setBusy={setBusy}
          notify={notify}
        />
        <div className="oar-row">
          <FilePickButton
            label="Import RTSTRUCT…"
            title="Show an RTSTRUCT of this series (e.g. clinical contours) as outlines"
            testId="import-rtstruct"
            accept=".dcm,application/dicom"
            disabled={!overlay || !!busy}
            onFiles={(f) => void doImport(f[0])}
          />
          <LabelMapControls ct={ct} store={store} busy={busy} setBusy={setBusy} notify={notify} />
        </div>
        {busy && (
          <p className="muted small" data-testid="overlay-busy">
            {busy}
          </p>
        )}
      </div>

      {imported && (
        <div className="oar-group" data-testid="imported-set">
          <div className="oar-group-head">
            <input
              type="checkbox"
              checked={state.importedShown}
              aria-label="Show imported structures"
              onChange={() => dispatch({ type: 'importedShown', shown: !state.importedShown })}
            />
            <span className="oar-group-name" title={imported.sopInstanceUID}>
              Imported: {imported.label || 'structure set'}
            </span>
            <span className="oar-spacer" />
            <button className="ghost small" onClick={removeImported} title="Remove the imported structure set">
              remove
            </button>
          </div>
          <p className="muted small" data-testid="imported-style-legend">
            Drawn as outlines only, never filled (the organs above: filled, or thicker outlines).
          </p>
          <ul className="oar-list">
            {imported.rois.map((r) => (
              <li key={r.label} className={`oar-organ${r.voxels ? '' : ' absent'}`} data-testid={`imported-${r.name}`}>
                <input
                  type="checkbox"
                  checked={state.importedVisible.has(r.label)}
                  disabled={!r.voxels}
                  aria-label={`Show ${r.name}`}
                  onChange={() => dispatch({ type: 'importedToggle', label: r.label })}
                />
                <span className="oar-swatch outline" style={{ borderColor: rgb(r.color) }} />
                <button
                  className="oar-name"
                  title={r.voxels ? 'Jump to centre' : 'No contours on this series'}
                  onClick={() => jumpToVoxel(r.centre)}
                >
                  <span className="oar-tg">{r.name}</span>
                  <span className="oar-plain">
                    {r.organ ? (r.organ.tg263 === r.name ? r.organ.plain : `= ${r.organ.tg263}`) : (r.interpretedType ?? '')}
                  </span>
                </button>
                <span className="oar-num">{fmtMl(r.volumeMl)}</span>
                <span className="oar-num oar-slices">{r.sliceRange ? `${r.sliceRange[0] + 1}–${r.sliceRange[1] + 1}` : ''}</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      <p className="oar-help muted small">
        {OVERLAY_SHORTCUTS.map(([k, what]) => (
          <span key={k}>
            <kbd>{k}</kbd> {what}
          </span>
        ))}
      </p>
    </div>
  );
}
