/**
 * A small typed DICOMweb client (QIDO-RS search, WADO-RS retrieve as application/dicom, STOW-RS store)
 * on the platform's fetch, so the same code runs in the page and in Node (the contouring node). Every
 * failure is a PacsError (errors.ts) with a message a user can act on.
 */
import { PacsError } from './errors';
import {
  instanceRow,
  seriesRow,
  studyRow,
  TAG,
  type DicomJson,
  type InstanceRow,
  type SeriesRow,
  type StudyRow,
} from './dicomJson';
import { buildMultipart, parseMultipart, MultipartError } from './multipart';

export type PacsAuth = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

export interface PacsConfig {
  /** DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web (no trailing slash needed). */
  url: string;
  auth: PacsAuth;
}

export interface StudyQuery {
  /** Matches patient name or patient ID (substring, case as the server does it). */
  patient?: string;
  /** ISO dates (YYYY-MM-DD), inclusive; either may be empty. */
  dateFrom?: string;
  dateTo?: string;
  limit?: number;
}

export interface RetrievedInstance {
  sopUID: string;
  bytes: Uint8Array;
}

export interface StoreResult {
  stored: string[];
  /** SOP Instance UID -> failure reason code, for instances the server refused. */
  failed: { sopUID: string; reason: string }[];
}

function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function authHeader(auth: PacsAuth): string | null {
  if (auth.kind === 'basic') return `Basic ${base64Utf8(`${auth.user}:${auth.password}`)}`;
  if (auth.kind === 'bearer') return `Bearer ${auth.token.trim()}`;
  return null;
}

/** The URL as typed, validated and without trailing slashes. */
export function normalizeRoot(url: string): string {
  const u = url.trim().replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    throw new PacsError(
      'unreachable',
      `"${url}" is not a URL. Enter the DICOMweb root, for example http://pacs.example.org:8042/dicom-web.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PacsError(
      'unreachable',
      `"${url}" is not an http(s) URL. Enter the DICOMweb root, for example http://pacs.example.org:8042/dicom-web.`,
    );
  }
  return u;
}

const DICOM_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

export class DicomWebClient {
  readonly root: string;
  /** Origin of the DICOMweb root: the only other origin the page talks to. */
  readonly origin: string;

  constructor(
    readonly config: PacsConfig,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {
    this.root = normalizeRoot(config.url);
    this.origin = new URL(this.root).origin;
  }

  private async request(path: string, init: RequestInit & { accept: string }, what: string): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept, ...(init.headers as Record<string, string> | undefined) };
    const auth = authHeader(this.config.auth);
    if (auth) headers.authorization = auth;
    let res: Response;
    try {
      res = await this.fetchImpl(this.root + path, { ...init, headers });
    } catch (e) {
      const detail = e instanceof Error && e.message ? ` (${e.message})` : '';
      // A browser reports a missing CORS permission exactly like a server that is down: name both.
      const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
      const cors = origin
        ? `; a browser also needs the server to allow this page's origin with CORS headers (Access-Control-Allow-Origin: ${origin}; README, Use with a PACS)`
        : '';
      throw new PacsError(
        'unreachable',
        `Could not reach the PACS at ${this.root}${detail}. Check the address and that the server runs${cors}.`,
      );
    }
    if (res.status === 401 || res.status === 403) {
      throw new PacsError(
        'auth',
        `The PACS refused the ${this.config.auth.kind === 'none' ? 'request without credentials' : 'credentials'} (HTTP ${res.status}) while ${what}. Check the user name and password or the token.`,
        res.status,
      );
    }
    const top = path.split('?')[0].split('/').length <= 2;
    if (res.status === 404 && top) {
      throw new PacsError(
        'no-dicomweb',
        `No DICOMweb service at ${this.root} (HTTP 404 for ${path.split('?')[0]}). Check the root URL (Orthanc: http://HOST:8042/dicom-web) and that the server's DICOMweb plugin is enabled.`,
        404,
      );
    }
    // A plain QIDO-RS search refused as a bad request: another API lives there (Orthanc's server root).
    if (res.status === 400 && top && init.method === 'GET') {
      throw new PacsError(
        'no-dicomweb',
        `${this.root} refused a standard DICOMweb search (HTTP 400): this is not a DICOMweb root. Orthanc's is http://HOST:8042/dicom-web, not the server root.`,
        400,
      );
    }
    if (!res.ok) {
      const body = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
      throw new PacsError('server', `The PACS answered HTTP ${res.status} while ${what}${body ? `: ${body}` : ''}`, res.status);
    }
    return res;
  }

  private async json(path: string, what: string): Promise<DicomJson[]> {
    const res = await this.request(path, { method: 'GET', accept: 'application/dicom+json, application/json' }, what);
    const text = await res.text();
    if (!text.trim()) return []; // 204 / empty: no matches
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new PacsError(
        'no-dicomweb',
        `${this.root} answered with something other than DICOM JSON while ${what} (${res.headers.get('content-type') ?? 'no content type'}). Is this the DICOMweb root (Orthanc: http://HOST:8042/dicom-web)?`,
      );
    }
    // Orthanc's own REST API answers /studies with a list of its ids: JSON, but not DICOM JSON.
    if (!Array.isArray(data) || data.some((x) => typeof x !== 'object' || x === null)) {
      throw new PacsError(
        'no-dicomweb',
        `${this.root} did not answer a DICOMweb search with DICOM JSON while ${what}. Is this the DICOMweb root (Orthanc: http://HOST:8042/dicom-web, not the server root)?`,
      );
    }
    return data as DicomJson[];
  }

  /** QIDO-RS studies; a patient filter matches name or ID (two searches merged). */
  async searchStudies(q: StudyQuery = {}): Promise<StudyRow[]> {
    const params = (extra: Record<string, string>) => {
      const p = new URLSearchParams({ ...extra, limit: String(q.limit ?? 100) });
      for (const f of [
        TAG.StudyDescription,
        TAG.ModalitiesInStudy,
        TAG.NumberOfStudyRelatedSeries,
        TAG.NumberOfStudyRelatedInstances,
        TAG.StudyTime,
      ])
        p.append('includefield', f);
      const date = dateParam(q.dateFrom ?? '', q.dateTo ?? '');
      if (date) p.set('StudyDate', date);
      return p.toString();
    };
    const patient = q.patient?.trim().replace(/[*?\\]/g, '');
    const queries: Record<string, string>[] = patient ? [{ PatientName: `*${patient}*` }, { PatientID: `*${patient}*` }] : [{}];
    const rows = new Map<string, StudyRow>();
    for (const extra of queries) {
      for (const ds of await this.json(`/studies?${params(extra)}`, 'searching studies')) {
        const r = studyRow(ds);
        if (r.studyUID) rows.set(r.studyUID, r);
      }
    }
    return [...rows.values()].sort(
      (a, b) => (b.date + b.time).localeCompare(a.date + a.time) || a.patientName.localeCompare(b.patientName),
    );
  }

  /** QIDO-RS series of one study (or of the whole archive with `modality` only: `searchSeries(null, 'CT')`). */
  async searchSeries(studyUID: string | null, modality?: string): Promise<SeriesRow[]> {
    const p = new URLSearchParams();
    if (modality) p.set('Modality', modality);
    for (const f of [TAG.SeriesDescription, TAG.SeriesNumber, TAG.NumberOfSeriesRelatedInstances, TAG.StudyInstanceUID])
      p.append('includefield', f);
    const path = studyUID ? `/studies/${encodeURIComponent(studyUID)}/series?${p}` : `/series?${p}`;
    const rows = (await this.json(path, 'listing series')).map(seriesRow);
    for (const r of rows) r.studyUID ||= studyUID ?? '';
    return rows.sort((a, b) => (a.number ?? 1e9) - (b.number ?? 1e9) || a.description.localeCompare(b.description));
  }

  /** The CT series of a study; a PacsError 'no-ct' naming what the study has instead when there is none. */
  async ctSeries(studyUID: string): Promise<SeriesRow[]> {
    const all = await this.searchSeries(studyUID);
    const ct = all.filter((s) => s.modality === 'CT');
    if (!ct.length) {
      const has = [...new Set(all.map((s) => s.modality || '?'))].join(', ');
      throw new PacsError('no-ct', `This study has no CT series${has ? ` (it holds ${has})` : ''}. Only CT can be contoured.`);
    }
    return ct;
  }

  async searchInstances(studyUID: string, seriesUID: string): Promise<InstanceRow[]> {
    const rows = (
      await this.json(
        `/studies/${encodeURIComponent(studyUID)}/series/${encodeURIComponent(seriesUID)}/instances?includefield=${TAG.InstanceNumber}`,
        'listing the instances of a series',
      )
    ).map(instanceRow);
    return rows.sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  }

  /** QIDO-RS: whether the study holds an instance with this SOP Instance UID (the node's look-up before work). */
  async hasInstance(studyUID: string, sopUID: string): Promise<boolean> {
    const rows = await this.json(
      `/studies/${encodeURIComponent(studyUID)}/instances?SOPInstanceUID=${encodeURIComponent(sopUID)}`,
      'looking for a stored structure set',
    );
    return rows.some((r) => String(r['00080018']?.Value?.[0] ?? '') === sopUID);
  }

  /** WADO-RS: one instance as application/dicom (any transfer syntax the server holds). */
  async retrieveInstance(studyUID: string, seriesUID: string, sopUID: string): Promise<Uint8Array> {
    const path = `/studies/${encodeURIComponent(studyUID)}/series/${encodeURIComponent(seriesUID)}/instances/${encodeURIComponent(sopUID)}`;
    const res = await this.request(path, { method: 'GET', accept: DICOM_ACCEPT }, 'retrieving an image');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    if (!/^multipart\//i.test(type)) return bytes;
    try {
      const parts = parseMultipart(bytes, type);
      if (!parts.length) throw new MultipartError('no part');
      return parts[0].body;
    } catch (e) {
      throw new PacsError(
        'server',
        `The PACS sent an unreadable WADO-RS answer for instance ${sopUID}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Every instance of a series, `concurrency` at a time, with progress. */
  async retrieveSeries(
    studyUID: string,
    seriesUID: string,
    o: { concurrency?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  ): Promise<RetrievedInstance[]> {
    const list = await this.searchInstances(studyUID, seriesUID);
    if (!list.length) throw new PacsError('server', `The series ${seriesUID} has no instances on the PACS.`);
    const out: RetrievedInstance[] = new Array(list.length);
    let next = 0;
    let done = 0;
    o.onProgress?.(0, list.length);
    const worker = async () => {
      while (next < list.length) {
        if (o.signal?.aborted) throw new DOMException('aborted', 'AbortError');
        const i = next++;
        out[i] = { sopUID: list[i].sopUID, bytes: await this.retrieveInstance(studyUID, seriesUID, list[i].sopUID) };
        o.onProgress?.(++done, list.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, list.length) }, worker));
    return out;
  }

  /** STOW-RS into a study. Throws 'store-failed' unless every instance was stored. */
  async store(studyUID: string, instances: readonly Uint8Array[]): Promise<StoreResult> {
    const { body, contentType } = buildMultipart(instances);
    const res = await this.request(
      `/studies/${encodeURIComponent(studyUID)}`,
      {
        method: 'POST',
        accept: 'application/dicom+json, application/json',
        headers: { 'content-type': contentType },
        body: body as unknown as BodyInit,
      },
      'storing the structure set',
    );
    const text = await res.text();
    let ds: DicomJson = {};
    try {
      ds = text.trim() ? (JSON.parse(text) as DicomJson) : {};
    } catch {
      throw new PacsError('server', 'The PACS answered the STOW-RS store with something other than DICOM JSON.');
    }
    const seq = (tag: string) => (ds[tag]?.Value ?? []) as DicomJson[];
    const stored = seq('00081199').map((x) => String(x['00081155']?.Value?.[0] ?? ''));
    const failed = seq('00081198').map((x) => ({
      sopUID: String(x['00081155']?.Value?.[0] ?? ''),
      reason: String(x['00081197']?.Value?.[0] ?? '?'),
    }));
    if (failed.length || stored.length < instances.length) {
      throw new PacsError(
        'store-failed',
        `The PACS did not store the file${failed.length ? ` (failure reason ${failed.map((f) => f.reason).join(', ')})` : ''}${(ds['00081196']?.Value?.[0] as string | undefined) ? `: ${String(ds['00081196']?.Value?.[0])}` : ''}.`,
      );
    }
    return { stored, failed };
  }
}

function dateParam(from: string, to: string): string | null {
  const f = from.replace(/-/g, '');
  const t = to.replace(/-/g, '');
  if (!f && !t) return null;
  return f === t ? f : `${f}-${t}`;
}
