/**
 * A real Orthanc PACS for the tests: started on free loopback ports (HTTP and DICOM) with a generated
 * JSON configuration (DICOMweb plugin on, HTTP basic auth on, revisions checked so metadata claims are
 * atomic), its own storage in a temporary folder, removed again by stop(). Needs Debian `orthanc` and
 * `orthanc-dicomweb` (.ci/run installs them); `orthancMissing()` says what is missing.
 *
 *   const pacs = await startOrthanc();            // pacs.dicomWeb = http://127.0.0.1:PORT/dicom-web
 *   await pacs.upload(bytes);                      // POST /instances (Orthanc REST)
 *   await pacs.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
/** User-defined series metadata the contouring node uses to claim a series (src/pacs/node/claim.ts, README "Use with a PACS"). */
export const CLAIM_METADATA = { AutoContourClaim: 4242 };

export function orthancMissing(): string | null {
  if (!existsSync(ORTHANC_BIN)) return 'Debian package orthanc is not installed (apt-get install -y orthanc orthanc-dicomweb)';
  if (!existsSync(DICOMWEB_PLUGIN))
    return 'Debian package orthanc-dicomweb is not installed (apt-get install -y orthanc-dicomweb)';
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => ok(port));
    });
  });
}

export interface OrthancOptions {
  /** Load the DICOMweb plugin (default true; false gives "a server without DICOMweb"). */
  dicomWeb?: boolean;
  user?: string;
  password?: string;
  /** Reuse a storage folder (to restart the same PACS after stop({ keepStorage: true })). */
  storage?: string;
  /** "CheckRevisions" (default true: claims are atomic; false gives the server the node must refuse). */
  checkRevisions?: boolean;
  /** Reuse ports (same restart case). */
  httpPort?: number;
  dicomPort?: number;
}

export interface Orthanc {
  /** http://127.0.0.1:PORT */
  url: string;
  origin: string;
  /** The DICOMweb root: `${url}/dicom-web`. */
  dicomWeb: string;
  user: string;
  password: string;
  storage: string;
  httpPort: number;
  dicomPort: number;
  /** Authorization header value (basic). */
  auth: string;
  /** Orthanc REST call with the test credentials. */
  rest(path: string, init?: RequestInit): Promise<Response>;
  /** POST /instances; returns the Orthanc instance id. */
  upload(bytes: Uint8Array): Promise<string>;
  /** Upload every file of a folder (recursively). */
  uploadFolder(dir: string): Promise<number>;
  /** Kill the server (SIGKILL when `crash`), keep or remove the storage. */
  stop(o?: { keepStorage?: boolean; crash?: boolean }): Promise<void>;
  /** The process log (stdout + stderr), for failure messages. */
  log(): string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export async function startOrthanc(o: OrthancOptions = {}): Promise<Orthanc> {
  const missing = orthancMissing();
  if (missing) throw new Error(missing);
  const user = o.user ?? 'pacs';
  const password = o.password ?? 'secret-test-password';
  const storage = o.storage ?? mkdtempSync(join(tmpdir(), 'aa-orthanc-'));
  const httpPort = o.httpPort ?? (await freePort());
  const dicomPort = o.dicomPort ?? (await freePort());
  const config = {
    Name: 'AA-TEST-PACS',
    StorageDirectory: join(storage, 'db'),
    IndexDirectory: join(storage, 'db'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: 'AATEST',
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    CheckRevisions: o.checkRevisions ?? true,
    UserMetadata: CLAIM_METADATA,
    StableAge: 1,
    ConcurrentJobs: 1,
    HttpThreadsCount: 8,
    Plugins: o.dicomWeb === false ? [] : [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Host: `127.0.0.1:${httpPort}`, Ssl: false },
  };
  const configFile = join(storage, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 1));
  let log = '';
  const child: ChildProcess = spawn(ORTHANC_BIN, [configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  const url = `http://127.0.0.1:${httpPort}`;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const rest = (path: string, init: RequestInit = {}) =>
    fetch(url + path, { ...init, headers: { authorization: auth, ...(init.headers as Record<string, string> | undefined) } });

  // Ready when GET /system answers (the process may also exit, e.g. a port taken).
  let dead: number | null | undefined;
  void exited.then((c) => {
    dead = c;
  });
  const t0 = Date.now();
  for (;;) {
    if (dead !== undefined) throw new Error(`Orthanc exited (code ${dead}) before it answered:\n${log.slice(-3000)}`);
    try {
      const r = await rest('/system');
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`Orthanc did not answer on ${url} within 60 s:\n${log.slice(-3000)}`);
    }
    await new Promise<void>((r) => {
      const t = setTimeout(r, 100);
      t.unref?.();
    });
  }

  const upload = async (bytes: Uint8Array) => {
    const r = await rest('/instances', {
      method: 'POST',
      body: bytes as unknown as BodyInit,
      headers: { 'content-type': 'application/dicom' },
    });
    if (!r.ok) throw new Error(`Orthanc POST /instances: HTTP ${r.status} ${await r.text()}`);
    return ((await r.json()) as { ID: string }).ID;
  };
  return {
    url,
    origin: url,
    dicomWeb: `${url}/dicom-web`,
    user,
    password,
    storage,
    httpPort,
    dicomPort,
    auth,
    rest,
    upload,
    async uploadFolder(dir) {
      let n = 0;
      for (const f of walk(dir)) {
        const bytes = readFileSync(f);
        // Only DICOM Part 10 files (DICM at 128).
        if (bytes.length > 132 && bytes.toString('latin1', 128, 132) === 'DICM') {
          await upload(bytes);
          n++;
        }
      }
      return n;
    },
    async stop({ keepStorage = false, crash = false } = {}) {
      if (dead === undefined) {
        child.kill(crash ? 'SIGKILL' : 'SIGTERM');
        await exited;
      }
      if (!keepStorage && !o.storage) rmSync(storage, { recursive: true, force: true });
    },
    log: () => log,
  };
}
