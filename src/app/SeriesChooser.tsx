/** The list of series found in the opened files; the user picks the one to load. */
import type { DicomSeries } from '../dicom/series';

const mm = (v: number | undefined, d = 2) => (v === undefined ? '–' : `${v.toFixed(d)}`);

export function SeriesChooser({ series, current, onPick, onClose }: {
  series: DicomSeries[];
  current?: string;
  onPick: (s: DicomSeries) => void;
  onClose?: () => void;
}) {
  return (
    <div className="chooser" role="dialog" aria-label="Choose a series" data-testid="series-chooser">
      <div className="chooser-head">
        <h2>{series.length} series found</h2>
        <span className="muted">Choose the CT series to open.</span>
        {onClose && <button className="ghost" onClick={onClose} aria-label="Close">✕</button>}
      </div>
      <table className="chooser-table">
        <thead>
          <tr>
            <th>Modality</th><th>Description</th><th>Series</th><th className="num">Images</th><th>Matrix</th>
            <th className="num">Pixel (mm)</th><th className="num">Slice (mm)</th><th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {series.map((s) => {
            const errors = s.warnings.filter((w) => w.severity === 'error').length;
            const warnings = s.warnings.length - errors;
            return (
              <tr key={s.key} className={`${s.problem ? 'disabled' : ''} ${current === s.key ? 'current' : ''}`}
                data-testid="series-row" tabIndex={s.problem ? -1 : 0}
                onClick={() => !s.problem && onPick(s)}
                onKeyDown={(e) => e.key === 'Enter' && !s.problem && onPick(s)}>
                <td><span className={`badge ${s.modality === 'CT' ? 'ct' : ''}`}>{s.modality}</span></td>
                <td>{s.seriesDescription || <span className="muted">(no description)</span>}</td>
                <td>{s.seriesNumber || '–'}</td>
                <td className="num">{s.sliceCount}</td>
                <td>{s.matrix}</td>
                <td className="num">{s.pixelSpacing ? `${mm(s.pixelSpacing[0], 3)} × ${mm(s.pixelSpacing[1], 3)}` : '–'}</td>
                <td className="num">{mm(s.sliceSpacing)}</td>
                <td className="notes">
                  {s.problem ? <span className="sev-error">{s.problem}</span> : (
                    <>
                      {errors > 0 && <span className="sev-error">{errors} blocking</span>}
                      {warnings > 0 && <span className="sev-warning">{warnings} warning{warnings > 1 ? 's' : ''}</span>}
                      {s.modality !== 'CT' && <span className="sev-warning">not CT</span>}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
