/** Right-hand sidebar: series facts, geometry status, then the registered panels (engine, organs). */
import type { CtVolume } from '../volume/volume';
import { checkGeometry } from '../pipeline/geometry';
import type { AppState } from '../ui/context';
import { SIDEBAR_PANELS } from './panels';

const fmtDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d || '–');
const name = (pn: string) => pn.replace(/\^+/g, ' ').trim() || '–';

function SeriesFacts({ ct }: { ct: CtVolume }) {
  const m = ct.meta;
  const extent = ct.slices.length > 1 ? Math.abs(ct.slices[ct.slices.length - 1].normalOffset - ct.slices[0].normalOffset) : 0;
  const rows: [string, string][] = [
    ['Patient', `${name(m.patientName)}${m.patientID ? ` (${m.patientID})` : ''}`],
    ['Study', `${fmtDate(m.studyDate)} ${m.studyDescription}`.trim()],
    ['Series', `${m.seriesNumber ? `#${m.seriesNumber} ` : ''}${m.seriesDescription || '–'}`],
    ['Modality', `${m.modality || '–'}${m.manufacturer ? ` · ${m.manufacturer}` : ''}`],
    ['Position', m.patientPosition || '–'],
    ['Matrix', `${ct.dims[0]} × ${ct.dims[1]} × ${ct.dims[2]}`],
    ['Voxel', `${ct.spacing[0].toFixed(3)} × ${ct.spacing[1].toFixed(3)} × ${ct.spacing[2].toFixed(2)} mm`],
    ['Extent', `${extent.toFixed(1)} mm`],
  ];
  return (
    <dl className="facts" data-testid="series-facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd title={v}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Sidebar({ state }: { state: AppState }) {
  const { ct } = state;
  if (!ct) {
    return (
      <aside className="sidebar">
        <section className="card muted-card">
          <h3>No series open</h3>
          <p className="muted">Open a CT folder to see the series details and the contouring tools.</p>
        </section>
      </aside>
    );
  }
  const { blocking } = checkGeometry(ct);
  return (
    <aside className="sidebar" data-testid="sidebar">
      <section className="card">
        <h3>Series</h3>
        <SeriesFacts ct={ct} />
      </section>
      <section className="card">
        <h3>Geometry</h3>
        {blocking.length === 0 ? (
          <p className="status-ok" data-testid="segmentation-status" data-allowed="true">
            ✓ Ready for segmentation
            {ct.warnings.length ? ` (${ct.warnings.length} warning${ct.warnings.length > 1 ? 's' : ''})` : ''}
          </p>
        ) : (
          <div data-testid="segmentation-status" data-allowed="false">
            <p className="status-blocked">Segmentation blocked</p>
            <ul className="reasons">
              {blocking.map((w) => (
                <li key={w.code}>{w.message}</li>
              ))}
            </ul>
          </div>
        )}
      </section>
      {SIDEBAR_PANELS.map(({ id, title, Component }) => (
        <section className="card" key={id} data-testid={`panel-${id}`}>
          <h3>{title}</h3>
          <Component {...state} ct={ct} />
        </section>
      ))}
      {SIDEBAR_PANELS.length === 0 && (
        <section className="card muted-card" data-testid="panel-placeholder">
          <h3>Auto-contouring</h3>
          <p className="muted">Segmentation and organ panels appear here.</p>
        </section>
      )}
    </aside>
  );
}
