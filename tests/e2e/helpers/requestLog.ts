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
  constructor(readonly origin: string) {}

  record(r: Request): void {
    const url = r.url();
    // data: and blob: URLs stay inside the page.
    const local = url.startsWith('data:') || url.startsWith('blob:');
    let sameOrigin = local;
    if (!local) {
      try {
        sameOrigin = new URL(url).origin === this.origin;
      } catch {
        sameOrigin = false;
      }
    }
    this.requests.push({ url, method: r.method(), resourceType: r.resourceType(), sameOrigin });
  }

  get foreign(): LoggedRequest[] {
    return this.requests.filter((r) => !r.sameOrigin);
  }
}

/** Log all requests of the context; requests to other origins are aborted (and stay in the log). */
export async function attachRequestLog(context: BrowserContext, baseURL: string): Promise<RequestLog> {
  const log = new RequestLog(new URL(baseURL).origin);
  context.on('request', (r) => log.record(r));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    let same = false;
    try {
      same = new URL(url).origin === log.origin;
    } catch {
      same = false;
    }
    return same ? route.continue() : route.abort('blockedbyclient');
  });
  return log;
}
