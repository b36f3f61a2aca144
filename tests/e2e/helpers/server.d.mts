/** Types of server.mjs (plain ESM so that scripts/e2e.mjs can run it without a TypeScript loader). */
import type { Server } from 'node:http';

export function startServer(opts?: {
  root?: string;
  port?: number;
  host?: string;
  mounts?: Record<string, string>;
}): Promise<{ server: Server; url: string }>;
