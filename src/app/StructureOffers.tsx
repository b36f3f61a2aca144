/**
 * After a CT loads: the structure sets (RTSTRUCT) found among the same files that reference it, each with an
 * Import button (into the organ panel's imported set); DICOM SEG objects are named with where to import them
 * (Review panel, Import SEG…);
 * structure sets of other series are counted and named (a warning when none applies), not offered.
 */
import { useEffect, useState } from 'react';
import type { FileSource, NonImageObject } from '../dicom/series';
import { isAnnotationObject } from '../dicom/series';
import type { CtVolume } from '../volume/volume';
import { requestStructureImport } from '../overlay/importRequests';
import { readRtStruct } from '../rtstruct/reader';
import { matchStructureSet, otherSeriesLine, type StructureMatch } from './structureOffers';

interface Offer {
  obj: NonImageObject;
  label: string;
  match: StructureMatch | 'seg' | 'unreadable';
  detail?: string;
  bytes?: Uint8Array;
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

async function readOffers(ct: CtVolume, objects: readonly NonImageObject[], sources: readonly FileSource[]): Promise<Offer[]> {
  const out: Offer[] = [];
  for (const obj of objects) {
    if (!isAnnotationObject(obj) || obj.fileIndex === undefined) continue;
    if (obj.modality !== 'RTSTRUCT') {
      out.push({
        obj,
        label: obj.seriesDescription || baseName(obj.fileName),
        match: 'seg',
        detail: 'a DICOM SEG: import it with Import SEG… in the Review panel to see and compare it',
      });
      continue;
    }
    try {
      const bytes = await sources[obj.fileIndex].read();
      const ss = readRtStruct(bytes);
      out.push({
        obj,
        label: ss.label || obj.seriesDescription || baseName(obj.fileName),
        match: matchStructureSet(ss, ct),
        bytes,
      });
    } catch (e) {
      out.push({ obj, label: baseName(obj.fileName), match: 'unreadable', detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

export function StructureOffers({
  ct,
  objects,
  sources,
}: {
  ct: CtVolume;
  objects: readonly NonImageObject[];
  sources: readonly FileSource[];
}) {
  const [offers, setOffers] = useState<Offer[]>([]);
  const [imported, setImported] = useState<ReadonlySet<string>>(new Set());
  const [closed, setClosed] = useState(false);
  useEffect(() => {
    let live = true;
    setOffers([]);
    setImported(new Set());
    setClosed(false);
    void readOffers(ct, objects, sources).then((o) => {
      if (live) setOffers(o);
    });
    return () => {
      live = false;
    };
  }, [ct, objects, sources]);

  const shown = offers.filter((o) => o.match !== 'none');
  const others = offers.length - shown.length;
  const otherLine = otherSeriesLine(
    offers.filter((o) => o.match === 'none').map((o) => ({ ...o.obj, label: o.label, fileName: baseName(o.obj.fileName) })),
    ct,
  );
  if (!closed && !shown.length && others) {
    return (
      <div className="notice notice-warning" role="status" data-testid="notice-structure-other-series" data-severity="warning">
        <span className="notice-icon" aria-hidden>
          ⚠
        </span>
        <div className="notice-body">
          <strong>Structure set for another series</strong> <span>{otherLine}</span>
        </div>
        <button className="ghost notice-close" onClick={() => setClosed(true)} aria-label="Dismiss">
          ✕
        </button>
      </div>
    );
  }
  if (closed || !shown.length) return null;
  return (
    <div
      className="notice notice-info structure-offers"
      role="region"
      aria-label="Structure sets for this CT"
      data-testid="structure-offers"
    >
      <strong>Structure sets found with this CT</strong>
      {others > 0 && (
        <span className="muted small" data-testid="structure-offers-others" title={otherLine}>
          {' '}
          · {others} for another series, not offered
        </span>
      )}
      <button className="ghost" onClick={() => setClosed(true)} aria-label="Close">
        ✕
      </button>
      <ul>
        {shown.map((o) => (
          <li key={o.obj.fileName} data-testid="structure-offer" data-match={o.match}>
            <span className="badge">{o.obj.modality}</span> {o.label}{' '}
            <span className="muted small">({baseName(o.obj.fileName)})</span>{' '}
            {o.match === 'series' || o.match === 'frame' ? (
              <>
                {o.match === 'frame' && <span className="sev-warning small">same frame of reference only </span>}
                <button
                  disabled={imported.has(o.obj.fileName)}
                  data-testid="structure-offer-import"
                  onClick={() => {
                    requestStructureImport(
                      new File([o.bytes! as BlobPart], baseName(o.obj.fileName), { type: 'application/dicom' }),
                    );
                    setImported((s) => new Set(s).add(o.obj.fileName));
                  }}
                >
                  {imported.has(o.obj.fileName) ? 'Imported' : 'Import'}
                </button>
              </>
            ) : (
              <span className="muted small">{o.detail}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
