/**
 * Sidebar panel "PACS": sends the app's structure set (all organs with contours) to the connected PACS
 * with STOW-RS, into the open CT's study. On failure the file stays available for download (nothing lost).
 */
import { useEffect, useState } from 'react';
import type { SidebarPanelProps } from '../app/context';
import { downloadFile } from '../app/download';
import { exportRtStruct } from '../rtstruct/export';
import { organOverlayFor } from '../overlay/registry';
import { onPacsSession, pacsSession, type PacsSession } from './session';
import './pacs.css';

type SendState =
  | { state: 'idle' }
  | { state: 'sending' }
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

  const doSend = async () => {
    if (!viewer) return;
    setSend({ state: 'sending' });
    let file: { bytes: Uint8Array; name: string } | undefined;
    try {
      const r = exportRtStruct(ct, organOverlayFor(viewer).labels);
      if (r.roiCount === 0) {
        setSend({ state: 'failed', text: 'Nothing to send: no organ has contours yet (run Segment first).' });
        return;
      }
      file = { bytes: r.bytes, name: r.fileName };
      const study = r.referenced.studyInstanceUID;
      await session.client.store(study, [r.bytes]);
      setSend({ state: 'ok', text: `Stored ${r.fileName} (${r.roiCount} organs) in the study on ${session.client.origin}.` });
    } catch (e) {
      setSend({ state: 'failed', text: `Sending failed: ${message(e)}`, file });
    }
  };

  return (
    <div className="pacs-send">
      <p className="muted small" title={session.client.root}>
        {session.client.root}
      </p>
      <button onClick={() => void doSend()} disabled={send.state === 'sending' || !viewer} data-testid="pacs-send">
        {send.state === 'sending' ? 'Sending…' : 'Send RTSTRUCT to PACS'}
      </button>
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
