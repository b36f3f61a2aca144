/**
 * Sidebar panel "PACS": sends the app's structure set (all organs with contours) to the connected PACS
 * with STOW-RS, into the open CT's study. On failure the file stays available for download (nothing lost).
 * The structure set is labelled as the Export button labels it (src/pipeline/organExport.ts): nothing is sent
 * while a segmentation runs, a cancelled or failed run only after a confirmation and as INCOMPLETE, a loaded
 * label map as such, hand-edited organs SEMIAUTOMATIC.
 */
import { useEffect, useState } from 'react';
import type { SidebarPanelProps } from '../ui/context';
import { downloadFile } from '../ui/download';
import { exportOrgans } from '../pipeline/organExport';
import { labelStoreFor } from '../store/current';
import { onPacsSession, pacsSession, type PacsSession } from './session';
import './pacs.css';

type SendState =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'confirm'; question: string }
  | { state: 'ok'; text: string }
  | { state: 'failed'; text: string; file?: { bytes: Uint8Array; name: string } };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function SendPanel({ ct, viewer }: SidebarPanelProps) {
  const [session, setSession] = useState<PacsSession | null>(pacsSession);
  const [send, setSend] = useState<SendState>({ state: 'idle' });
  useEffect(() => onPacsSession(setSession), []);
  useEffect(() => setSend({ state: 'idle' }), [ct]);

  if (!session) {
    return (
      <p className="muted small" data-testid="pacs-send-hint">
        Connect with <b>Open from PACS…</b> to store the structure set there.
      </p>
    );
  }

  const doSend = async (confirmed = false) => {
    if (!viewer) return;
    setSend({ state: 'sending' });
    let file: { bytes: Uint8Array; name: string } | undefined;
    try {
      const step = exportOrgans(ct, labelStoreFor(ct).exportInput(), { format: 'rtstruct', confirmed });
      if (step.kind === 'confirm') {
        setSend({ state: 'confirm', question: step.question });
        return;
      }
      if (step.kind === 'no-organ') {
        setSend({ state: 'failed', text: 'Nothing to send: no organ has contours yet (run Segment first).' });
        return;
      }
      if (step.kind !== 'written' || !step.rtstruct) {
        setSend({ state: 'failed', text: `Not sent: ${step.kind === 'written' ? 'no structure set' : step.message}` });
        return;
      }
      const r = step.rtstruct;
      file = { bytes: r.bytes, name: r.fileName };
      const study = r.referenced.studyInstanceUID;
      await session.client.store(study, [r.bytes]);
      const label = step.labelling.label === 'AutoOAR' ? '' : `, labelled ${step.labelling.label}`;
      setSend({
        state: 'ok',
        text: `Stored ${r.fileName} (${r.roiCount} structures${label}) in the study on ${session.client.origin}.`,
      });
    } catch (e) {
      setSend({ state: 'failed', text: `Sending failed: ${message(e)}`, file });
    }
  };

  return (
    <div className="pacs-send">
      <p className="muted small" title={session.client.root}>
        {session.client.root}
      </p>
      <button
        onClick={() => void doSend()}
        disabled={send.state === 'sending' || send.state === 'confirm' || !viewer}
        data-testid="pacs-send"
      >
        {send.state === 'sending' ? 'Sending…' : 'Send RTSTRUCT to PACS'}
      </button>
      {send.state === 'confirm' && (
        <div role="alertdialog" aria-label="Send an incomplete result?" data-testid="pacs-send-confirm">
          <p className="small">{send.question}</p>
          <button className="primary" onClick={() => void doSend(true)} data-testid="pacs-send-incomplete">
            Send as INCOMPLETE
          </button>{' '}
          <button className="ghost" onClick={() => setSend({ state: 'idle' })} data-testid="pacs-send-cancel">
            Don't send
          </button>
        </div>
      )}
      {send.state === 'ok' && (
        <p className="ok" role="status" data-testid="pacs-send-status" data-state="ok">
          ✓ {send.text}
        </p>
      )}
      {send.state === 'failed' && (
        <div role="alert" data-testid="pacs-send-status" data-state="failed">
          <p className="fail">{send.text}</p>
          {send.file && (
            <button onClick={() => downloadFile(send.file!.bytes, send.file!.name)} data-testid="pacs-send-download">
              Download {send.file.name}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
