/**
 * Records every request a page (and its workers) makes, and blocks any that leave the app's origin, so
 * a test can assert that no image data or telemetry goes anywhere (DESIGN 1: no image leaves the machine).
 */
import type { BrowserContext, Request } from '@playwright/test';

export interface LoggedRequest {
  url: string;
  method: string;
  resourceType: string;
  sameOrigin: boolean;
}

export class RequestLog {
  readonly requests: LoggedRequest[] = [];
  /** `allowed`: other origins the page may talk to (the configured DICOMweb server). */
  constructor(
    readonly origin: string,
    readonly allowed: readonly string[] = [],
  ) {}

  isAllowed(url: string): boolean {
    try {
      const o = new URL(url).origin;
      return o === this.origin || this.allowed.includes(o);
    } catch {
      return false;
    }
  }

  record(r: Request): void {
    const url = r.url();
    // data: and blob: URLs stay inside the page.
    const local = url.startsWith('data:') || url.startsWith('blob:');
    const sameOrigin = local || this.isAllowed(url);
    this.requests.push({ url, method: r.method(), resourceType: r.resourceType(), sameOrigin });
  }

  get foreign(): LoggedRequest[] {
    return this.requests.filter((r) => !r.sameOrigin);
  }
}

/** Log all requests of the context; requests to other origins are aborted (and stay in the log). */
export async function attachRequestLog(
  context: BrowserContext,
  baseURL: string,
  allowed: readonly string[] = [],
): Promise<RequestLog> {
  const log = new RequestLog(new URL(baseURL).origin, allowed);
  context.on('request', (r) => log.record(r));
  await context.route('**/*', (route) => {
    return log.isAllowed(route.request().url()) ? route.continue() : route.abort('blockedbyclient');
  });
  return log;
}
