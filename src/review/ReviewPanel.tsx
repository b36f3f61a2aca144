/**
 * The review panel: DICOM SEG export and import, and the comparison of the app's organs with an imported
 * reference (RTSTRUCT from the organ panel, or SEG from here): one row per organ with DSC, HD95, mean
 * surface distance and volumes, the pairing of reference ROIs with organs editable, CSV export.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SidebarPanelProps } from '../ui/context';
import { compareWithReference, comparisonCsv, type Comparison } from '../compare/compare';
import { namePairing } from '../compare/reference';
import { ORGANS } from '../organs';
import { downloadFile } from '../ui/download';
import { labelStoreFor } from '../store/current';
import { useReference } from '../ui/useLabelStore';
import { importSeg } from '../seg/import';
import { readSeg } from '../seg/reader';
import { segFileName } from '../seg/writer';
import { exportOrgans } from '../pipeline/organExport';
import './review.css';
import { FilePickButton } from '../ui/FilePickButton';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const f = (v: number | null | undefined, d: number) => (v === null || v === undefined ? '–' : v.toFixed(d));
const nextFrame = () => new Promise<void>((r) => setTimeout(r, 0));

export function ReviewPanel({ ct, viewer, notify }: SidebarPanelProps) {
  // the CT's label store (src/store), once the viewer is up
  const store = useMemo(() => (viewer ? labelStoreFor(ct) : null), [viewer, ct]);
  const reference = useReference(store);
  const [organCount, setOrganCount] = useState(0);
  /** Bumped whenever the organ labels change (a label map loading slice by slice, a segmentation run). */
  const [labelsVersion, setLabelsVersion] = useState(0);
  const [pairing, setPairing] = useState<Map<number, number | null>>(new Map());
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  /** An incomplete run's question before its SEG is written (INCOMPLETE), as for the RTSTRUCT. */
  const [asking, setAsking] = useState<string | null>(null);

  useEffect(() => {
    if (!store) return;
    const count = () => setOrganCount(store.stats.all().filter((s) => s.voxels > 0).length);
    count();
    // label changes come slice by slice (a run, a label map): counted at most every 100 ms
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = store.subscribe((c) => {
      if ((c.kind !== 'slices' && c.kind !== 'voxels' && c.kind !== 'replaced') || timer) return;
      timer = setTimeout(() => {
        timer = null;
        count();
        setLabelsVersion((v) => v + 1);
      }, 100);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [store]);

  // A new series has its own store (and reference): drop what was shown for the previous one.
  useEffect(() => {
    setComparison(null);
    setStatus(null);
  }, [ct]);

  useEffect(() => {
    setPairing(reference ? namePairing(reference.set) : new Map());
    setComparison(null);
  }, [reference]);

  const runCompare = useCallback(async () => {
    if (!store || !reference) return;
    setBusy('Comparing…');
    await nextFrame();
    try {
      setComparison(compareWithReference(store.labels, reference.set, ct, pairing));
    } catch (e) {
      notify({ id: 'compare', severity: 'error', title: 'The comparison failed.', detail: message(e) });
    } finally {
      setBusy(null);
    }
  }, [store, reference, ct, pairing, notify]);

  // Compare as soon as there are both a reference and organs, and again when the pairing or the organs change
  // (debounced: a label map or a segmentation arrives slice by slice).
  const compareRef = useRef(runCompare);
  compareRef.current = runCompare;
  useEffect(() => {
    if (!reference || organCount === 0) return;
    const t = setTimeout(() => void compareRef.current(), 300);
    return () => clearTimeout(t);
  }, [reference, pairing, labelsVersion, organCount]);

  const exportSeg = async (confirmed = false) => {
    if (!store) return;
    setAsking(null);
    setBusy('Writing SEG…');
    await nextFrame();
    try {
      // the one export function and labelling rule (src/pipeline/organExport.ts), as the RTSTRUCT export
      const step = exportOrgans(ct, store.exportInput(), { format: 'seg', confirmed });
      if (step.kind === 'confirm') setAsking(step.question);
      else if (step.kind !== 'written' || !step.seg) {
        const detail = step.kind === 'written' ? 'no segment was written' : step.message;
        notify({ id: 'seg-export', severity: step.kind === 'error' ? 'error' : 'warning', title: 'No SEG exported.', detail });
      } else {
        downloadFile(step.bytes, step.fileName);
        const label = step.labelling.label === 'AutoOAR' ? '' : `, labelled ${step.labelling.label}`;
        setStatus(`Exported ${step.fileName} (${step.seg.segmentCount} segments, ${step.seg.frameCount} frames${label}).`);
      }
    } catch (e) {
      notify({ id: 'seg-export', severity: 'error', title: 'SEG export failed.', detail: message(e) });
    } finally {
      setBusy(null);
    }
  };

  const importSegFile = async (file: File) => {
    setBusy(`Importing ${file.name}…`);
    try {
      const set = importSeg(readSeg(new Uint8Array(await file.arrayBuffer())), ct);
      labelStoreFor(ct).setReference({ set, fileName: file.name, kind: 'SEG' });
      setStatus(`Imported ${file.name}: ${set.rois.length} segment(s).`);
      if (set.warnings.length)
        notify({
          id: 'seg-import',
          severity: 'warning',
          title: `Imported ${file.name} with warnings.`,
          detail: set.warnings.join(' '),
        });
    } catch (e) {
      notify({ id: 'seg-import', severity: 'error', title: `${file.name} could not be imported.`, detail: message(e) });
      setStatus(`${file.name} could not be imported: ${message(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const exportCsv = () => {
    if (!comparison) return;
    const stem = segFileName(ct)
      .replace(/^SEG_/, 'compare_')
      .replace(/\.dcm$/, '.csv');
    downloadFile(new TextEncoder().encode(comparisonCsv(comparison)), stem, 'text/csv');
  };

  const rois = useMemo(() => reference?.set.rois.filter((r) => r.voxels > 0) ?? [], [reference]);

  return (
    <div className="review-panel" data-testid="review-panel">
      <div className="oar-row">
        <button
          disabled={!store || organCount === 0 || !!busy}
          onClick={() => void exportSeg()}
          data-testid="export-seg"
          title="Download the organs as a DICOM Segmentation (one segment per organ, SNOMED CT codes)"
        >
          Export SEG
        </button>
        <FilePickButton
          label="Import SEG…"
          title="Show a DICOM SEG of this series as outlines and compare it with the organs"
          testId="import-seg"
          accept=".dcm,application/dicom"
          disabled={!!busy}
          onFiles={(f) => void importSegFile(f[0])}
        />
      </div>
      {asking && (
        <div className="oar-confirm" role="alertdialog" aria-label="Export an incomplete result?" data-testid="seg-confirm">
          <p className="small">{asking}</p>
          <div className="oar-row">
            <button className="primary" onClick={() => void exportSeg(true)} data-testid="seg-confirm-incomplete">
              Export SEG as INCOMPLETE
            </button>
            <button className="ghost" onClick={() => setAsking(null)} data-testid="seg-confirm-cancel">
              Don't export
            </button>
          </div>
        </div>
      )}
      {busy && (
        <p className="muted small" data-testid="review-busy">
          {busy}
        </p>
      )}
      {status && (
        <p className="muted small" data-testid="review-status">
          {status}
        </p>
      )}
      {!reference && (
        <p className="muted small">
          Import a reference (RTSTRUCT in the organ panel, or SEG here) to compare it with the organs.
        </p>
      )}
      {reference && (
        <div className="review-compare" data-testid="compare">
          <div className="oar-row">
            <span className="oar-group-name" title={reference.set.sopInstanceUID}>
              Compared with {reference.kind} {reference.fileName}
            </span>
          </div>
          {organCount === 0 && (
            <p className="muted small" data-testid="compare-empty">
              No organs yet: run the segmentation to compare.
            </p>
          )}
          {comparison && (
            <>
              <table className="review-table" data-testid="compare-table">
                <thead>
                  <tr>
                    <th title="Organ (and the reference ROI paired with it)">Organ</th>
                    <th title="Dice similarity coefficient">DSC</th>
                    <th title="95th percentile Hausdorff distance, mm">HD95</th>
                    <th title="Mean (average symmetric) surface distance, mm">MSD</th>
                    <th title="Auto-contour volume, ml">Auto</th>
                    <th title="Reference volume, ml">Ref</th>
                    <th title="Auto - reference, ml">Δ ml</th>
                  </tr>
                </thead>
                <tbody>
                  {comparison.rows.map((r) => (
                    <tr key={r.channel} data-testid={`compare-row-${r.organ}`}>
                      <td title={`Reference: ${r.referenceNames.join(' + ')}`}>
                        {r.organ}
                        <div className="review-ref muted">{r.referenceNames.join(' + ')}</div>
                      </td>
                      <td data-testid={`dsc-${r.organ}`}>{r.dsc.toFixed(3)}</td>
                      <td>{f(r.hd95Mm, 1)}</td>
                      <td>{f(r.msdMm, 1)}</td>
                      <td>{r.predictedMl.toFixed(1)}</td>
                      <td>{r.referenceMl.toFixed(1)}</td>
                      <td>{(r.diffMl >= 0 ? '+' : '') + r.diffMl.toFixed(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {comparison.rows.length === 0 && <p className="muted small">No reference ROI is paired with an organ.</p>}
              {comparison.notes.length > 0 && (
                <ul className="review-notes muted small" data-testid="compare-notes">
                  {comparison.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
              <div className="oar-row">
                <button onClick={exportCsv} disabled={!comparison.rows.length} data-testid="export-csv">
                  Export CSV
                </button>
                <button
                  onClick={() => void runCompare()}
                  disabled={!!busy}
                  data-testid="compare-again"
                  title="After the organs changed"
                >
                  Compare again
                </button>
              </div>
            </>
          )}
          <details className="review-pairing" data-testid="pairing">
            <summary>
              Pairing ({rois.filter((r) => pairing.get(r.label) != null).length} of {rois.length} ROIs paired)
            </summary>
            {rois.map((r) => (
              <label key={r.label} className="oar-row">
                <span className="review-roi">{r.name}</span>
                <select
                  value={pairing.get(r.label) ?? ''}
                  data-testid={`pair-${r.name}`}
                  onChange={(e) =>
                    setPairing((p) => new Map(p).set(r.label, e.target.value === '' ? null : Number(e.target.value)))
                  }
                >
                  <option value="">— not compared —</option>
                  {ORGANS.map((o) => (
                    <option key={o.channel} value={o.channel}>
                      {o.tg263}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </details>
        </div>
      )}
    </div>
  );
}
