/**
 * The app shell: header with the open actions, toolbar, notices, the three-plane viewer and the
 * right-hand sidebar. Loading: files -> scan (headers only) -> choose a series -> one HU volume.
 * A failed load leaves the current series open and usable.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { VolumeLoadError } from '../dicom/build';
import { GeometryError } from '../dicom/geometry';
import { scanDicomSources, type DicomSeries, type FileSource, type ScanResult } from '../dicom/series';
import type { CtVolume } from '../volume/volume';
import { checkGeometry } from '../pipeline/geometry';
import { loadSeries as loadPipelineSeries } from '../pipeline/load';
import { browserDecoder } from '../viewer/decoder';
import { Toolbar } from '../viewer/Toolbar';
import type { ViewerApi } from '../viewer/viewer';
import { ViewerPanel } from '../viewer/ViewerPanel';
import { AppContext, type AppState } from '../ui/context';
import { ExampleMissingError, exampleSources, fromDataTransfer, fromFileList } from '../ui/fileSources';
import { addNotice, mergeNotices, scanNotices, volumeNotices, type Notice } from '../ui/notices';
import { Notices } from './Notices';
import { SeriesChooser } from './SeriesChooser';
import { loadNiftiCt, niftiNotices, niftiSources } from './niftiOpen';
import { withSegmentabilityChecks } from '../dicom/plausibility';
import { StructureOffers } from './StructureOffers';
import { Sidebar } from './Sidebar';
import { PacsBrowser } from '../pacs/PacsBrowser';
import './theme.css';

interface Busy {
  stage: string;
  done: number;
  total: number;
}

interface Opened {
  scan: ScanResult;
  sources: FileSource[];
  label: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function App() {
  const [ct, setCt] = useState<CtVolume | null>(null);
  const [currentKey, setCurrentKey] = useState<string>();
  const [viewer, setViewer] = useState<ViewerApi | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [busy, setBusy] = useState<Busy | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [pacsOpen, setPacsOpen] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const filesInput = useRef<HTMLInputElement>(null);
  const busyRef = useRef(false);

  const notify = useCallback((n: Notice) => setNotices((cur) => addNotice(cur, n)), []);
  const dismiss = useCallback((id: string) => setNotices((cur) => cur.filter((n) => n.id !== id)), []);

  useEffect(() => {
    // React has no prop for the folder picker attribute.
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  const loadSeries = useCallback(
    async (series: DicomSeries, open: Opened) => {
      setChoosing(false);
      setBusy({ stage: `Loading ${series.seriesDescription || series.modality}`, done: 0, total: series.sliceCount });
      try {
        const volume = await loadPipelineSeries(series, open.sources, {
          decoder: browserDecoder,
          onProgress: (done, total) => setBusy((b) => (b ? { ...b, done, total } : b)),
        });
        setCt(volume);
        setCurrentKey(series.key);
        setNotices(mergeNotices(scanNotices(open.scan), volumeNotices(volume)));
      } catch (e) {
        const expected = e instanceof VolumeLoadError || e instanceof GeometryError;
        if (!expected) console.error(e);
        notify({ id: 'load-failed', severity: 'error', title: 'This series could not be opened.', detail: message(e) });
      } finally {
        setBusy(null);
      }
    },
    [notify],
  );

  const openSources = useCallback(
    async (getSources: () => Promise<FileSource[]>, label: string) => {
      if (busyRef.current) return;
      busyRef.current = true;
      setBusy({ stage: 'Reading files', done: 0, total: 0 });
      try {
        const sources = await getSources();
        // A NIfTI CT (issue 16): the CLI's CtVolume, no series to choose. Opened when the files hold only NIfTI,
        // or no DICOM series besides it.
        const nifti = niftiSources(sources);
        const openNifti = async () => {
          setBusy({ stage: `Reading ${nifti[0].name}`, done: 0, total: 0 });
          const volume = withSegmentabilityChecks(await loadNiftiCt(nifti[0]));
          setCt(volume);
          setCurrentKey(undefined);
          setOpened(null);
          setNotices(mergeNotices(niftiNotices(nifti[0], sources.length - 1), volumeNotices(volume)));
        };
        if (nifti.length && nifti.length === sources.length) return await openNifti();
        setBusy({ stage: 'Reading DICOM headers', done: 0, total: sources.length });
        const scan = await scanDicomSources(sources, { onProgress: (p) => setBusy((b) => (b ? { ...b, ...p } : b)) });
        if (!scan.series.length && nifti.length) return await openNifti();
        // Notices of the new files replace the previous file-level ones; the open series' stay.
        setNotices(mergeNotices(ct ? volumeNotices(ct) : [], scanNotices(scan)));
        if (!scan.series.length) return;
        const open = { scan, sources, label };
        setOpened(open);
        const loadable = scan.series.filter((s) => !s.problem);
        if (scan.series.length === 1 && loadable.length === 1) await loadSeries(loadable[0], open);
        else setChoosing(true);
      } catch (e) {
        if (e instanceof ExampleMissingError)
          notify({ id: 'example-missing', severity: 'error', title: 'Example not available.', detail: e.message });
        else if (e instanceof VolumeLoadError)
          notify({ id: 'load-failed', severity: 'error', title: 'This file could not be opened.', detail: e.message });
        else {
          console.error(e);
          notify({ id: 'open-failed', severity: 'error', title: 'The files could not be read.', detail: message(e) });
        }
      } finally {
        busyRef.current = false;
        setBusy(null);
      }
    },
    [ct, loadSeries, notify],
  );

  const openExample = () => openSources(async () => (await exampleSources()).sources, 'Example CT');

  // Drag and drop anywhere on the page.
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (hasFiles(e)) {
        depth++;
        setDragging(true);
        e.preventDefault();
      }
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const dt = e.dataTransfer;
      if (dt) {
        // Entries must be taken synchronously inside the drop event.
        const pending = fromDataTransfer(dt);
        void openSources(() => pending, 'Dropped files');
      }
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [openSources]);

  const onPicked = (e: React.ChangeEvent<HTMLInputElement>) => {
    const files = e.target.files ? Array.from(e.target.files) : [];
    e.target.value = '';
    if (files.length)
      void openSources(async () => fromFileList(files), files.length === 1 ? files[0].name : `${files.length} files`);
    else notify({ id: 'no-dicom', severity: 'error', title: 'No files found.', detail: 'The chosen folder is empty.' });
  };

  const onViewerError = useCallback(
    (m: string) => notify({ id: 'viewer-failed', severity: 'error', title: 'Display error.', detail: m }),
    [notify],
  );

  const state: AppState = useMemo(
    () => ({
      ct,
      viewer,
      segmentationAllowed: !!ct && checkGeometry(ct).allowed,
      notify,
      dismiss,
    }),
    [ct, viewer, notify, dismiss],
  );

  return (
    <AppContext.Provider value={state}>
      <div className="app" data-testid="app" data-busy={busy ? 'true' : 'false'}>
        <header className="app-header">
          <div className="brand">
            <span className="brand-mark" aria-hidden>
              ◎
            </span>
            <span className="brand-name">AttentionAnatomy</span>
            <span className="brand-sub">OAR auto-contouring</span>
          </div>
          <div className="header-actions">
            <button onClick={() => folderInput.current?.click()} disabled={!!busy} data-testid="open-folder">
              Open folder…
            </button>
            <button onClick={() => filesInput.current?.click()} disabled={!!busy} data-testid="open-files">
              Open files…
            </button>
            <button onClick={openExample} disabled={!!busy} data-testid="open-example">
              Open example CT
            </button>
            <button onClick={() => setPacsOpen(true)} disabled={!!busy} data-testid="open-pacs">
              Open from PACS…
            </button>
            {opened && opened.scan.series.length > 1 && (
              <button onClick={() => setChoosing(true)} disabled={!!busy} data-testid="choose-series">
                Series ({opened.scan.series.length})
              </button>
            )}
          </div>
          <div className="header-series" data-testid="header-series">
            {ct && (
              <>
                <span className="badge ct">{ct.meta.modality}</span> {ct.meta.seriesDescription || 'Unnamed series'} ·{' '}
                {ct.dims[0]}×{ct.dims[1]}×{ct.dims[2]}
              </>
            )}
          </div>
          <input ref={folderInput} type="file" multiple hidden data-testid="folder-input" onChange={onPicked} />
          <input ref={filesInput} type="file" multiple hidden data-testid="file-input" onChange={onPicked} />
        </header>
        <Toolbar api={viewer} />
        <Notices notices={notices} onDismiss={dismiss} />
        {ct && opened && currentKey && <StructureOffers ct={ct} objects={opened.scan.nonImage} sources={opened.sources} />}
        <main className="app-main">
          <div className="viewer-area">
            {ct ? (
              <ViewerPanel ct={ct} onViewer={setViewer} onError={onViewerError} />
            ) : (
              <div className="empty" data-testid="empty-state">
                <div className="empty-card">
                  <h1>Open a CT series</h1>
                  <p>Drop a folder of DICOM files (or a NIfTI .nii/.nii.gz CT) anywhere on this page, or</p>
                  <div className="empty-actions">
                    <button className="primary" onClick={() => folderInput.current?.click()} disabled={!!busy}>
                      Choose a folder…
                    </button>
                    <button onClick={openExample} disabled={!!busy}>
                      Open example CT
                    </button>
                  </div>
                  <p className="muted small">Images stay on this computer: nothing is uploaded. Not a medical device.</p>
                </div>
              </div>
            )}
            {choosing && opened && (
              <div className="modal-backdrop">
                <SeriesChooser
                  series={opened.scan.series}
                  objects={opened.scan.nonImage}
                  current={currentKey}
                  onPick={(s) => void loadSeries(s, opened)}
                  onClose={() => setChoosing(false)}
                />
              </div>
            )}
            {pacsOpen && (
              <div className="modal-backdrop">
                <PacsBrowser
                  onClose={() => setPacsOpen(false)}
                  onOpen={(sources, label) => void openSources(async () => sources, label)}
                />
              </div>
            )}
            {busy && (
              <div
                className="busy"
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={busy.total || undefined}
                aria-valuenow={busy.done}
                data-testid="busy"
              >
                <span>
                  {busy.stage}
                  {busy.total ? ` · ${busy.done} / ${busy.total}` : ''}
                </span>
                <div className="bar">
                  <div style={{ width: busy.total ? `${(100 * busy.done) / busy.total}%` : '30%' }} />
                </div>
              </div>
            )}
          </div>
          <Sidebar state={state} />
        </main>
        {dragging && (
          <div className="drop-overlay" data-testid="drop-overlay">
            <div>Drop the CT folder to open it</div>
          </div>
        )}
      </div>
    </AppContext.Provider>
  );
}
