/**
 * The list of series found in the opened files, with patient and study; the user picks the one to load.
 * Structure sets and segmentations (RTSTRUCT, SEG) are listed apart, never as series to open: the app offers
 * to import the ones that reference the CT once it has loaded (StructureOffers).
 */
import type { DicomSeries, NonImageObject } from '../dicom/series';
import { isAnnotationObject } from '../dicom/series';
import { checkGeometry } from '../pipeline/geometry';
import { formatDicomDate, formatPersonName } from './structureOffers';

const mm = (v: number | undefined, d = 2) => (v === undefined ? '–' : `${v.toFixed(d)}`);

const Patient = ({ name, id }: { name?: string; id?: string }) => (
  <>
    <span data-testid="patient-name">{formatPersonName(name) || <span className="muted">(no name)</span>}</span>
    <br />
    <span className="muted small" data-testid="patient-id">
      {id || '(no ID)'}
    </span>
  </>
);
const Study = ({ date, description }: { date?: string; description?: string }) => (
  <>
    <span data-testid="study-date">{formatDicomDate(date) || '–'}</span>
    <br />
    <span className="muted small" data-testid="study-description">
      {description || '(no description)'}
    </span>
  </>
);

export function SeriesChooser({
  series,
  objects = [],
  current,
  onPick,
  onClose,
}: {
  series: DicomSeries[];
  /** Non-image DICOM objects among the files (structure sets and segmentations are listed). */
  objects?: readonly NonImageObject[];
  current?: string;
  onPick: (s: DicomSeries) => void;
  onClose?: () => void;
}) {
  const annotations = objects.filter(isAnnotationObject);
  return (
    <div className="chooser" role="dialog" aria-label="Choose a series" data-testid="series-chooser">
      <div className="chooser-head">
        <h2>{series.length} series found</h2>
        <span className="muted">Choose the CT series to open.</span>
        {onClose && (
          <button className="ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        )}
      </div>
      <table className="chooser-table">
        <thead>
          <tr>
            <th>Patient</th>
            <th>Study</th>
            <th>Modality</th>
            <th>Description</th>
            <th>Series</th>
            <th className="num">Images</th>
            <th>Matrix</th>
            <th className="num">Pixel (mm)</th>
            <th className="num">Slice (mm)</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {series.map((s) => {
            const errors = checkGeometry(s).blocking.length;
            const warnings = s.warnings.length - errors;
            return (
              <tr
                key={s.key}
                className={`${s.problem ? 'disabled' : ''} ${current === s.key ? 'current' : ''}`}
                data-testid="series-row"
                tabIndex={s.problem ? -1 : 0}
                onClick={() => !s.problem && onPick(s)}
                onKeyDown={(e) => e.key === 'Enter' && !s.problem && onPick(s)}
              >
                <td>
                  <Patient name={s.patientName} id={s.patientID} />
                </td>
                <td>
                  <Study date={s.studyDate} description={s.studyDescription} />
                </td>
                <td>
                  <span className={`badge ${s.modality === 'CT' ? 'ct' : ''}`}>{s.modality}</span>
                </td>
                <td>{s.seriesDescription || <span className="muted">(no description)</span>}</td>
                <td>{s.seriesNumber || '–'}</td>
                <td className="num">{s.sliceCount}</td>
                <td>{s.matrix}</td>
                <td className="num">{s.pixelSpacing ? `${mm(s.pixelSpacing[0], 3)} × ${mm(s.pixelSpacing[1], 3)}` : '–'}</td>
                <td className="num">{mm(s.sliceSpacing)}</td>
                <td className="notes">
                  {s.problem ? (
                    <span className="sev-error">{s.problem}</span>
                  ) : (
                    <>
                      {errors > 0 && <span className="sev-error">{errors} blocking</span>}
                      {warnings > 0 && (
                        <span className="sev-warning">
                          {warnings} warning{warnings > 1 ? 's' : ''}
                        </span>
                      )}
                      {s.modality !== 'CT' && <span className="sev-warning">not CT</span>}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {annotations.length > 0 && (
        <div className="chooser-objects" data-testid="chooser-objects">
          <h3>
            {annotations.length} structure set{annotations.length > 1 ? 's' : ''} / segmentation
            {annotations.length > 1 ? 's' : ''} (not images)
          </h3>
          <p className="muted small">
            Not opened as series. After the CT loads, the app offers to import those that reference it.
          </p>
          <table className="chooser-table">
            <tbody>
              {annotations.map((o) => (
                <tr key={o.fileName} data-testid="object-row" data-modality={o.modality}>
                  <td>
                    <Patient name={o.patientName} id={o.patientID} />
                  </td>
                  <td>
                    <Study date={o.studyDate} description={o.studyDescription} />
                  </td>
                  <td>
                    <span className="badge">{o.modality}</span>
                  </td>
                  <td>{o.seriesDescription || <span className="muted">(no description)</span>}</td>
                  <td className="muted small">{o.fileName}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
