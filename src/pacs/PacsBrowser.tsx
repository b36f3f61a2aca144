/**
 * "Open from PACS": the server setting (DICOMweb root, none / basic / bearer authentication, remembered
 * locally), a study search by patient and date (QIDO-RS), the chosen study's CT series, and loading one
 * through WADO-RS with progress. The retrieved files go to the app's local-file path (onOpen).
 */
import { useEffect, useRef, useState } from 'react';
import type { FileSource } from '../dicom/series';
import { DicomWebClient } from './client';
import { isoDate, personName, type SeriesRow, type StudyRow } from './dicomJson';
import { PacsError } from './errors';
import { loadSettings, saveSettings, toConfig, type PacsSettings } from './settings';
import { pacsSession, setPacsSession } from './session';
import { pacsSeriesSources } from './sources';
import './pacs.css';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function PacsBrowser({
  onOpen,
  onClose,
}: {
  onOpen: (sources: FileSource[], label: string) => void;
  onClose: () => void;
}) {
  const [s, setS] = useState<PacsSettings>(loadSettings);
  const [patient, setPatient] = useState('');
  const [dateFrom, setDateFrom] = useState('');
  const [dateTo, setDateTo] = useState('');
  const [studies, setStudies] = useState<StudyRow[] | null>(null);
  const [study, setStudy] = useState<StudyRow | null>(null);
  const [series, setSeries] = useState<SeriesRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const clientRef = useRef<DicomWebClient | null>(pacsSession()?.client ?? null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const set = (patch: Partial<PacsSettings>) => setS((cur) => ({ ...cur, ...patch }));

  const run = async <T,>(label: string, f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(label);
    setError(null);
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof PacsError)) console.error(e);
      if (alive.current) setError(message(e));
      return undefined;
    } finally {
      if (alive.current) setBusy(null);
    }
  };

  const search = () =>
    run('Searching…', async () => {
      const client = new DicomWebClient(toConfig(s));
      saveSettings(s);
      setStudies(null);
      setStudy(null);
      setSeries(null);
      const rows = await client.searchStudies({ patient, dateFrom, dateTo });
      clientRef.current = client;
      setPacsSession({ client, openedStudy: pacsSession()?.openedStudy ?? null });
      if (alive.current) setStudies(rows);
    });

  const pickStudy = (st: StudyRow) => {
    setStudy(st);
    setSeries(null);
    void run('Listing series…', async () => {
      const rows = await clientRef.current!.ctSeries(st.studyUID);
      if (alive.current) setSeries(rows);
    });
  };

  const open = (se: SeriesRow) =>
    run('Retrieving images…', async () => {
      const client = clientRef.current!;
      const sources = await pacsSeriesSources(
        client,
        se.studyUID || study!.studyUID,
        se.seriesUID,
        (done, total) => alive.current && setProgress({ done, total }),
      );
      setProgress(null);
      setPacsSession({ client, openedStudy: se.studyUID || study!.studyUID });
      onOpen(sources, `PACS: ${personName(study?.patientName ?? '')} ${se.description}`.trim());
      onClose();
    }).finally(() => alive.current && setProgress(null));

  return (
    <div className="chooser pacs" role="dialog" aria-label="Open from PACS" data-testid="pacs-browser">
      <div className="chooser-head">
        <h2>Open from PACS</h2>
        <span className="muted">DICOMweb (QIDO-RS / WADO-RS / STOW-RS)</span>
        <button className="ghost" onClick={onClose} aria-label="Close" data-testid="pacs-close">
          ✕
        </button>
      </div>
      <form
        className="pacs-form"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label className="wide">
          DICOMweb URL
          <input
            type="url"
            required
            placeholder="http://pacs.example.org:8042/dicom-web"
            value={s.url}
            onChange={(e) => set({ url: e.target.value })}
            data-testid="pacs-url"
          />
        </label>
        <label>
          Authentication
          <select
            value={s.authKind}
            onChange={(e) => set({ authKind: e.target.value as PacsSettings['authKind'] })}
            data-testid="pacs-auth"
          >
            <option value="none">None</option>
            <option value="basic">User and password</option>
            <option value="bearer">Bearer token</option>
          </select>
        </label>
        {s.authKind === 'basic' && (
          <>
            <label>
              User
              <input
                autoComplete="username"
                value={s.user}
                onChange={(e) => set({ user: e.target.value })}
                data-testid="pacs-user"
              />
            </label>
            <label>
              Password
              <input
                type="password"
                autoComplete="current-password"
                value={s.password}
                onChange={(e) => set({ password: e.target.value })}
                data-testid="pacs-password"
              />
            </label>
          </>
        )}
        {s.authKind === 'bearer' && (
          <label className="wide">
            Token
            <input type="password" value={s.token} onChange={(e) => set({ token: e.target.value })} data-testid="pacs-token" />
          </label>
        )}
        {s.authKind !== 'none' && (
          <label className="check">
            <input
              type="checkbox"
              checked={s.remember}
              onChange={(e) => set({ remember: e.target.checked })}
              data-testid="pacs-remember"
            />
            Remember the {s.authKind === 'basic' ? 'password' : 'token'} on this computer
          </label>
        )}
        <div className="pacs-search">
          <label>
            Patient name or ID
            <input value={patient} onChange={(e) => setPatient(e.target.value)} placeholder="any" data-testid="pacs-patient" />
          </label>
          <label>
            From
            <input type="date" value={dateFrom} onChange={(e) => setDateFrom(e.target.value)} data-testid="pacs-date-from" />
          </label>
          <label>
            To
            <input type="date" value={dateTo} onChange={(e) => setDateTo(e.target.value)} data-testid="pacs-date-to" />
          </label>
          <button type="submit" className="primary" disabled={!!busy} data-testid="pacs-search">
            Search
          </button>
        </div>
      </form>
      {error && (
        <div className="pacs-error" role="alert" data-testid="pacs-error">
          {error}
        </div>
      )}
      {busy && (
        <div
          className="pacs-busy"
          data-testid="pacs-progress"
          role="progressbar"
          aria-valuenow={progress?.done}
          aria-valuemax={progress?.total}
        >
          {busy}
          {progress ? ` ${progress.done} / ${progress.total}` : ''}
          <div className="bar">
            <div style={{ width: progress?.total ? `${(100 * progress.done) / progress.total}%` : '30%' }} />
          </div>
        </div>
      )}
      {studies && (
        <table className="chooser-table" data-testid="pacs-studies">
          <thead>
            <tr>
              <th>Patient</th>
              <th>ID</th>
              <th>Date</th>
              <th>Modalities</th>
              <th>Description</th>
              <th className="num">Series</th>
            </tr>
          </thead>
          <tbody>
            {studies.length === 0 && (
              <tr>
                <td colSpan={6} className="muted" data-testid="pacs-no-studies">
                  No study matches.
                </td>
              </tr>
            )}
            {studies.map((st) => (
              <tr
                key={st.studyUID}
                className={study?.studyUID === st.studyUID ? 'current' : ''}
                tabIndex={0}
                data-testid="pacs-study-row"
                onClick={() => pickStudy(st)}
                onKeyDown={(e) => e.key === 'Enter' && pickStudy(st)}
              >
                <td>{personName(st.patientName) || '–'}</td>
                <td>{st.patientID || '–'}</td>
                <td>{isoDate(st.date) || '–'}</td>
                <td>{st.modalities.join(', ') || '–'}</td>
                <td>{st.description || <span className="muted">(no description)</span>}</td>
                <td className="num">{st.seriesCount ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {study && series && (
        <div className="pacs-series">
          <h3>
            CT series of {personName(study.patientName) || study.patientID || 'the study'}
            {study.date ? `, ${isoDate(study.date)}` : ''}
          </h3>
          <table className="chooser-table">
            <thead>
              <tr>
                <th>Series</th>
                <th>Description</th>
                <th className="num">Images</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {series.map((se) => (
                <tr key={se.seriesUID} data-testid="pacs-series-row">
                  <td>{se.number ?? '–'}</td>
                  <td>{se.description || <span className="muted">(no description)</span>}</td>
                  <td className="num">{se.instanceCount ?? '–'}</td>
                  <td>
                    <button className="primary" disabled={!!busy} onClick={() => void open(se)} data-testid="pacs-open-series">
                      Open
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
