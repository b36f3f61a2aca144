/**
 * The RTSTRUCT export buttons of the organ panel: all organs or the visible ones (different file names),
 * disabled while Segment runs, and after a cancelled or failed run an explicit confirmation that writes
 * the file labelled INCOMPLETE (or discards the partial result). Labels, descriptions and ROI generation
 * follow the label store's provenance (labels/provenance.ts, src/store/labelStore.ts).
 */
import { useEffect, useState } from 'react';
import type { Notice } from '../ui/notices';
import type { CtVolume } from '../volume/volume';
import { uidNote } from '../rtstruct/uids';
import { downloadFile } from '../ui/download';
import { exportAllowed } from '../pipeline/labelling';
import { exportOrgans } from '../pipeline/organExport';
import type { LabelStore } from '../store/labelStore';
import { useProvenance } from '../ui/useLabelStore';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface ExportControlsProps {
  ct: CtVolume;
  store: LabelStore | null;
  visible: ReadonlySet<number>;
  anyPresent: boolean;
  busy: string | null;
  setBusy: (b: string | null) => void;
  notify: (n: Notice) => void;
}

export function ExportControls({ ct, store, visible, anyPresent, busy, setBusy, notify }: ExportControlsProps) {
  const prov = useProvenance(store);
  const gate = exportAllowed(prov, anyPresent);
  const [asking, setAsking] = useState<null | { visibleOnly: boolean }>(null);
  const [body, setBody] = useState(true);
  useEffect(() => setAsking(null), [prov]);

  const write = (visibleOnly: boolean, confirmed = false) => {
    if (!store) return;
    setBusy('Writing RTSTRUCT…');
    // let the busy label paint before the (synchronous) contour extraction
    setTimeout(() => {
      try {
        // the one export function (src/pipeline/organExport.ts), as Send to PACS, SEG and the batch
        const step = exportOrgans(ct, store.exportInput(), {
          format: 'rtstruct',
          ...(visibleOnly ? { channels: visible, tag: 'visible' } : {}),
          body,
          confirmed,
        });
        if (step.kind === 'error' || step.kind === 'blocked') {
          notify({ id: 'rtstruct-export', severity: 'error', title: 'RTSTRUCT export failed.', detail: step.message });
        } else if (step.kind === 'confirm') {
          setAsking({ visibleOnly });
        } else if (step.kind === 'no-organ') {
          notify({
            id: 'rtstruct-export',
            severity: 'warning',
            title: 'Nothing to export.',
            detail: visibleOnly ? 'No visible organ has contours.' : 'No organ has contours yet.',
          });
        } else if (step.rtstruct) {
          const r = step.rtstruct;
          downloadFile(r.bytes, r.fileName);
          if (r.notices.length) {
            notify({
              id: 'rtstruct-export-text',
              severity: 'warning',
              title: `Exported ${r.fileName}; some text was shortened to DICOM's limits.`,
              detail: r.notices.join(' '),
            });
          }
          const note = uidNote(r.referenced);
          if (note) {
            notify({
              id: 'rtstruct-export',
              severity: 'info',
              title: `Exported ${r.fileName} (${r.roiCount} structures, ${r.contourCount} contours).`,
              detail: note,
            });
          }
        }
      } catch (e) {
        console.error(e);
        notify({ id: 'rtstruct-export', severity: 'error', title: 'RTSTRUCT export failed.', detail: message(e) });
      } finally {
        setBusy(null);
      }
    }, 0);
  };
  const click = (visibleOnly: boolean) => (gate.confirm ? setAsking({ visibleOnly }) : write(visibleOnly));
  const discard = () => {
    if (!store) return;
    store.clear();
    store.setProvenance({ source: 'none' });
  };
  const disabled = !store || !!busy || !gate.enabled;

  return (
    <>
      <div className="oar-row">
        <button
          className="primary"
          disabled={disabled}
          onClick={() => click(false)}
          data-testid="export-all"
          data-provenance={prov.source === 'model' ? prov.state : prov.source}
          title={gate.why || 'Download a DICOM RT Structure Set with every organ found'}
        >
          Export RTSTRUCT
        </button>
        <button
          disabled={disabled}
          onClick={() => click(true)}
          data-testid="export-visible"
          title={gate.why || 'Only the organs shown now (file name ends in _visible)'}
        >
          Visible only
        </button>
      </div>
      <label
        className="oar-row small"
        title="BODY / External (TG-263): the patient's outline from the CT (above -300 HU, couch removed, holes filled), needed for dose calculation"
      >
        <input type="checkbox" checked={body} onChange={(e) => setBody(e.target.checked)} data-testid="include-body" /> Include
        BODY (External)
      </label>
      {prov.source === 'model' && prov.state === 'incomplete' && !asking && (
        <p className="small oar-incomplete" data-testid="incomplete-note">
          Partial result ({prov.slicesDone} of {prov.slices} slices).{' '}
          <button className="ghost small" onClick={discard} data-testid="discard-partial">
            Discard
          </button>
        </p>
      )}
      {asking && gate.confirm && (
        <div className="oar-confirm" role="alertdialog" aria-label="Export an incomplete result?" data-testid="export-confirm">
          <p className="small">{gate.confirm}</p>
          <div className="oar-row">
            <button
              className="primary"
              data-testid="confirm-incomplete"
              onClick={() => {
                const v = asking.visibleOnly;
                setAsking(null);
                write(v, true);
              }}
            >
              Export as INCOMPLETE
            </button>
            <button
              data-testid="discard-partial-confirm"
              onClick={() => {
                setAsking(null);
                discard();
              }}
            >
              Discard partial result
            </button>
            <button className="ghost" data-testid="cancel-export" onClick={() => setAsking(null)}>
              Keep, don't export
            </button>
          </div>
        </div>
      )}
    </>
  );
}
