/**
 * Claims between several nodes on one Orthanc: a series is claimed by creating the user-defined series
 * metadata `AutoContourClaim` (Orthanc config: "UserMetadata": { "AutoContourClaim": 4242 } and
 * "CheckRevisions": true). With revisions checked, Orthanc creates a metadata item only when it does not
 * exist and changes it only with the current revision (If-Match), so exactly one node wins (409 for the
 * others). Values: "claimed NODE ISO-TIME", "done NODE RTSTRUCT-UID". A claim left by a node that died is
 * taken over after the TTL, again with If-Match (compare-and-swap); a node takes back its own claim at once.
 * The node renews its claim while it works (renew), so a long series is not taken over; checkServer refuses a
 * server without revision checks, where two nodes could both "create" the same claim.
 *
 * Claims avoid double work; they are not what keeps a series from getting two structure sets: that is the
 * structure set's derived UID (identity.ts), the same whichever node or attempt stores it.
 */
import { PacsError } from '../errors';

export type ClaimResult =
  { kind: 'claimed'; revision: string | null } | { kind: 'busy'; by: string } | { kind: 'done'; by: string; rtstruct: string };

export interface ClaimValue {
  state: 'claimed' | 'done';
  node: string;
  /** ISO time (claimed) or RTSTRUCT UID (done). */
  detail: string;
}

export function parseClaim(v: string): ClaimValue | null {
  const m = /^(claimed|done) (\S+) (\S+)$/.exec(v.trim());
  return m ? { state: m[1] as ClaimValue['state'], node: m[2], detail: m[3] } : null;
}

/** Whether a claim may be taken over by `node` at `now` (pure). */
export function takeOver(c: ClaimValue | null, node: string, now: number, ttlMs: number): boolean {
  if (!c) return true; // unreadable value: treat as free
  if (c.state === 'done') return false;
  if (c.node === node) return true;
  const t = Date.parse(c.detail);
  return !Number.isFinite(t) || now - t > ttlMs;
}

export class OrthancClaims {
  constructor(
    private readonly root: string,
    private readonly authorization: string | null,
    readonly node: string,
    private readonly metadata = 'AutoContourClaim',
    private readonly ttlMs = 120 * 60_000,
  ) {}

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    if (this.authorization) headers.authorization = this.authorization;
    try {
      return await fetch(this.root + path, { ...init, headers });
    } catch (e) {
      throw new PacsError(
        'unreachable',
        `Could not reach Orthanc at ${this.root} for a claim (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }

  private fail(r: Response, what: string, body: string): never {
    if (r.status === 401 || r.status === 403)
      throw new PacsError('auth', `Orthanc refused the credentials (HTTP ${r.status}) while ${what}`, r.status);
    if (r.status >= 500) throw new PacsError('server', `Orthanc answered HTTP ${r.status} while ${what}`, r.status);
    throw new Error(
      `Orthanc answered HTTP ${r.status} while ${what}: ${body.slice(0, 200)}. Claims need "UserMetadata": { "${this.metadata}": 4242 } and "CheckRevisions": true in the Orthanc configuration (or run one node with --orthanc none).`,
    );
  }

  /** Orthanc's id of a series. */
  private async seriesId(seriesUID: string): Promise<string> {
    const r = await this.call('/tools/lookup', { method: 'POST', body: seriesUID });
    const text = await r.text();
    if (!r.ok) this.fail(r, 'looking up a series', text);
    const hit = (JSON.parse(text) as { Type: string; ID: string }[]).find((x) => x.Type === 'Series');
    if (!hit) throw new PacsError('server', `Orthanc does not know the series ${seriesUID} (deleted meanwhile?)`, 404);
    return hit.ID;
  }

  private url = (id: string) => `/series/${id}/metadata/${this.metadata}`;

  private async put(id: string, value: string, revision: string | null): Promise<Response> {
    return this.call(this.url(id), { method: 'PUT', body: value, headers: revision ? { 'if-match': revision } : {} });
  }

  async claim(seriesUID: string, now = Date.now()): Promise<ClaimResult> {
    const id = await this.seriesId(seriesUID);
    const mine = `claimed ${this.node} ${new Date(now).toISOString()}`;
    let r = await this.put(id, mine, null);
    if (r.ok) return { kind: 'claimed', revision: r.headers.get('etag') };
    if (r.status !== 409) this.fail(r, 'claiming a series', await r.text());
    await r.text();
    const cur = await this.call(this.url(id));
    const value = await cur.text();
    if (!cur.ok) this.fail(cur, 'reading a claim', value);
    const c = parseClaim(value);
    if (c?.state === 'done') return { kind: 'done', by: c.node, rtstruct: c.detail };
    if (!takeOver(c, this.node, now, this.ttlMs)) return { kind: 'busy', by: c?.node ?? '?' };
    r = await this.put(id, mine, cur.headers.get('etag'));
    if (r.ok) return { kind: 'claimed', revision: r.headers.get('etag') };
    if (r.status === 409) return { kind: 'busy', by: 'another node (lost the race)' };
    this.fail(r, 'taking over a stale claim', await r.text());
  }

  /**
   * Refuses a server where claims would protect nothing: Orthanc without "CheckRevisions": true creates and
   * overwrites metadata without compare-and-swap, so two nodes can both win the same series.
   */
  async checkServer(): Promise<void> {
    const r = await this.call('/system');
    const text = await r.text();
    if (!r.ok) this.fail(r, 'reading the server configuration (/system)', text);
    let sys: { CheckRevisions?: unknown; Version?: unknown };
    try {
      sys = JSON.parse(text) as typeof sys;
    } catch {
      throw new Error(`${this.root}/system is not Orthanc's REST API (give --orthanc URL, or --orthanc none for one node only)`);
    }
    if (sys.CheckRevisions !== true)
      throw new Error(
        `Orthanc at ${this.root} (version ${String(sys.Version ?? '?')}) does not check revisions ("CheckRevisions": ${String(sys.CheckRevisions ?? 'absent')}): claims between nodes would not be atomic. Set "CheckRevisions": true in its configuration, or run one node only with --orthanc none.`,
      );
  }

  /**
   * Refreshes this node's claim (new time stamp, If-Match); false when the claim is no longer ours (taken over
   * or done meanwhile).
   */
  async renew(seriesUID: string, now = Date.now()): Promise<boolean> {
    const id = await this.seriesId(seriesUID);
    const cur = await this.call(this.url(id));
    const value = await cur.text();
    if (!cur.ok) return false;
    const c = parseClaim(value);
    if (c?.state !== 'claimed' || c.node !== this.node) return false;
    const r = await this.put(id, `claimed ${this.node} ${new Date(now).toISOString()}`, cur.headers.get('etag'));
    await r.text();
    if (r.status === 409) return false;
    if (!r.ok) this.fail(r, 'renewing a claim', '');
    return true;
  }

  /**
   * Marks the series done (after the RTSTRUCT is stored): compare-and-swap on the current value, again once if
   * another node changed it in between. A "done" already there is left as it is (same structure set UID).
   */
  async done(seriesUID: string, rtstruct: string): Promise<void> {
    const id = await this.seriesId(seriesUID);
    for (let tries = 0; ; tries++) {
      const cur = await this.call(this.url(id));
      const value = await cur.text();
      if (cur.ok && parseClaim(value)?.state === 'done') return;
      const r = await this.put(id, `done ${this.node} ${rtstruct}`, cur.ok ? cur.headers.get('etag') : null);
      if (r.ok) {
        await r.text();
        return;
      }
      const body = await r.text();
      if (r.status !== 409 || tries >= 2) this.fail(r, 'marking a series done', body);
    }
  }

  /** Gives a claim back (after a failure) so that another node, or a later pass, may try. */
  async release(seriesUID: string): Promise<void> {
    const id = await this.seriesId(seriesUID);
    const cur = await this.call(this.url(id));
    const value = await cur.text();
    if (!cur.ok || parseClaim(value)?.node !== this.node) return;
    const r = await this.call(this.url(id), { method: 'DELETE', headers: { 'if-match': cur.headers.get('etag') ?? '' } });
    await r.text();
  }
}
