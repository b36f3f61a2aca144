/**
 * "Load label map…" (issue 16): a NIfTI label map chosen together with its legend (JSON class map,
 * ITK-SNAP label description or Slicer colour table, labelLegend.ts) is shown as this series' organs;
 * without a legend the panel lists the values found and asks which organ each one is (one click fills in
 * "values are this app's channel numbers", but only when the user clicks it). The label store's provenance
 * becomes the label map, so the export never calls these structures the model's.
 */
import { useState } from 'react';
import type { Notice } from '../ui/notices';
import type { CtVolume } from '../volume/volume';
import { ORGANS } from '../organs';
import { labelValues, legendFromFiles, type LabelLegend } from '../labels/labelLegend';
import { readNiftiLabels } from '../nifti/labels';
import { resampleLabelsToCt, type GriddedLabels } from '../labels/resample';
import type { LabelStore } from '../store/labelStore';
import { FilePickButton } from '../ui/FilePickButton';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const MAX_ROWS = 64;

interface Pending {
  file: string;
  grid: GriddedLabels;
  values: { value: number; voxels: number }[];
  choice: Map<number, number>;
}

export interface LabelMapControlsProps {
  ct: CtVolume;
  store: LabelStore | null;
  busy: string | null;
  setBusy: (b: string | null) => void;
  notify: (n: Notice) => void;
}

export function LabelMapControls({ ct, store, busy, setBusy, notify }: LabelMapControlsProps) {
  const [pending, setPending] = useState<Pending | null>(null);

  const apply = async (file: string, grid: GriddedLabels, legend: LabelLegend) => {
    if (!store) return;
    setBusy(`Loading ${file}…`);
    try {
      const labels = resampleLabelsToCt(grid, ct, legend.values);
      if (!labels.some((v) => v > 0)) throw new Error('no organ of the legend falls inside this CT');
      // Slice by slice, as the engine delivers its result: the same display path, and a large map shows progressively.
      const [cols, rows, nk] = ct.dims;
      const size = cols * rows;
      store.clear();
      for (let k = 0; k < nk; k++) {
        store.setSlice(k, labels.subarray(k * size, (k + 1) * size));
        if (k % 16 === 15) await new Promise((r) => requestAnimationFrame(r));
      }
      store.setProvenance({ source: 'labelmap', file, legend: legend.source });
      if (legend.unknown.length) {
        notify({
          id: 'labelmap-load',
          severity: 'info',
          title: `${file}: ${legend.unknown.length} legend names are not organs of this app and were left out.`,
          items: legend.unknown,
        });
      }
    } catch (e) {
      notify({ id: 'labelmap-load', severity: 'error', title: `${file} could not be loaded.`, detail: message(e) });
    } finally {
      setBusy(null);
    }
  };

  const choose = async (files: File[]) => {
    const nifti = files.find((f) => /\.nii(\.gz)?$/i.test(f.name));
    if (!nifti) {
      notify({
        id: 'labelmap-load',
        severity: 'error',
        title: 'No NIfTI label map among the chosen files.',
        detail:
          'Choose a .nii or .nii.gz file, with its legend (.json, ITK-SNAP .txt/.label or Slicer .ctbl/.txt) if it has one.',
      });
      return;
    }
    setBusy(`Reading ${nifti.name}…`);
    try {
      const grid = readNiftiLabels(new Uint8Array(await nifti.arrayBuffer()));
      const others = await Promise.all(
        files.filter((f) => f !== nifti).map(async (f) => ({ name: f.name, text: await f.text() })),
      );
      const legend = legendFromFiles(others);
      setBusy(null);
      if (legend) {
        await apply(nifti.name, grid, legend);
        return;
      }
      const values = labelValues(grid.data);
      if (values.length === 0) throw new Error('the label map is empty (all zero)');
      setPending({ file: nifti.name, grid, values, choice: new Map() });
    } catch (e) {
      setBusy(null);
      notify({ id: 'labelmap-load', severity: 'error', title: `${nifti.name} could not be loaded.`, detail: message(e) });
    }
  };

  const setChoice = (value: number, channel: number) =>
    setPending((p) => {
      if (!p) return p;
      const choice = new Map(p.choice);
      if (channel > 0) choice.set(value, channel);
      else choice.delete(value);
      return { ...p, choice };
    });

  return (
    <>
      <FilePickButton
        label="Load label map…"
        title="Show a NIfTI label map as this series' organs; choose its legend file (.json, ITK-SNAP or Slicer colour table) with it, or map the values by hand"
        testId="load-labelmap"
        accept=".nii,.gz,.json,.txt,.ctbl,.label,.lut"
        multiple
        disabled={!store || !!busy}
        onFiles={(f) => void choose(f)}
      />
      {pending && (
        <div className="oar-confirm" role="dialog" aria-label="Which organ is each value?" data-testid="labelmap-mapping">
          <p className="small">{pending.file} has no legend. Which organ is each value? Values left at “none” are not loaded.</p>
          <button
            className="ghost small"
            data-testid="labelmap-use-channels"
            onClick={() =>
              setPending(
                (p) => p && { ...p, choice: new Map(p.values.filter((v) => v.value <= 33).map((v) => [v.value, v.value])) },
              )
            }
          >
            Values are this app's channel numbers (1–33)
          </button>
          <ul className="oar-list">
            {pending.values.slice(0, MAX_ROWS).map((v) => (
              <li key={v.value} className="oar-organ">
                <span className="oar-num">{v.value}</span>
                <select
                  data-testid={`labelmap-value-${v.value}`}
                  value={pending.choice.get(v.value) ?? 0}
                  onChange={(e) => setChoice(v.value, Number(e.target.value))}
                >
                  <option value={0}>none</option>
                  {ORGANS.map((o) => (
                    <option key={o.channel} value={o.channel}>
                      {o.tg263}
                    </option>
                  ))}
                </select>
                <span className="muted small">{v.voxels} voxels</span>
              </li>
            ))}
          </ul>
          {pending.values.length > MAX_ROWS && (
            <p className="muted small">{pending.values.length - MAX_ROWS} more values not listed (not loaded).</p>
          )}
          <div className="oar-row">
            <button
              className="primary"
              disabled={pending.choice.size === 0}
              data-testid="labelmap-apply"
              onClick={() => {
                const p = pending;
                setPending(null);
                void apply(p.file, p.grid, { values: p.choice, unknown: [], source: `${p.choice.size} values mapped by hand` });
              }}
            >
              Load
            </button>
            <button className="ghost" data-testid="labelmap-cancel" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </>
  );
}
