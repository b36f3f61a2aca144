/**
 * Development harness for the organ overlay without the app shell: load CT files from an <input>, show the
 * three viewports and the organ panel, expose the overlay on window.__overlayHarness for Playwright.
 */
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { loadCtVolume } from '../../../src/dicom/build';
import { scanDicomSources } from '../../../src/dicom/series';
import type { CtVolume } from '../../../src/dicom/volume';
import { OrganPanel } from '../../../src/overlay/OrganPanel';
import { organOverlayFor } from '../../../src/overlay/registry';
import { browserDecoder } from '../../../src/viewer/decoder';
import { createViewer, PLANES, type PlaneId, type ViewerApi } from '../../../src/viewer/viewer';
import { fromFileList } from '../../../src/app/fileSources';
import '../../../src/app/theme.css';

declare global {
  interface Window {
    __overlayHarness?: { ct: CtVolume; viewer: ViewerApi; overlay: ReturnType<typeof organOverlayFor> };
  }
}

function Harness() {
  const [ct, setCt] = useState<CtVolume | null>(null);
  const [viewer, setViewer] = useState<ViewerApi | null>(null);
  const refs = { axial: useRef<HTMLDivElement>(null), sagittal: useRef<HTMLDivElement>(null), coronal: useRef<HTMLDivElement>(null) };
  useEffect(() => {
    if (!ct) return;
    let api: ViewerApi | null = null;
    void (async () => {
      const els = Object.fromEntries(PLANES.map((p) => [p, refs[p].current!])) as Record<PlaneId, HTMLDivElement>;
      api = await createViewer(els, ct);
      setViewer(api);
      window.__overlayHarness = { ct, viewer: api, overlay: organOverlayFor(api) };
    })();
  }, [ct]);
  return (
    <div style={{ display: 'flex', gap: 8, height: '100vh' }}>
      <div>
        <input id="ct" type="file" multiple onChange={async (e) => {
          const files = e.target.files ? Array.from(e.target.files) : [];
          const sources = fromFileList(files);
          const scan = await scanDicomSources(sources);
          const series = scan.series.filter((s) => s.modality === 'CT').sort((a, b) => b.sliceCount - a.sliceCount)[0];
          setCt(await loadCtVolume(series, { readFile: (h) => sources[h.fileIndex].read(), decoder: browserDecoder }));
        }} />
        <div style={{ display: 'grid', gridTemplateColumns: '400px 300px', gap: 4 }}>
          <div ref={refs.axial} data-testid="vp-axial" style={{ width: 400, height: 400, gridRow: 'span 2' }} />
          <div ref={refs.sagittal} data-testid="vp-sagittal" style={{ width: 300, height: 198 }} />
          <div ref={refs.coronal} data-testid="vp-coronal" style={{ width: 300, height: 198 }} />
        </div>
      </div>
      <div style={{ width: 320, overflow: 'auto', background: 'var(--panel)', padding: 8 }}>
        {ct && viewer && (
          <OrganPanel ct={ct} viewer={viewer} segmentationAllowed notify={(n) => console.log('notice', JSON.stringify(n))} dismiss={() => {}} />
        )}
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<Harness />);
