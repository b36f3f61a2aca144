/** Types of server.mjs (plain ESM so that scripts/e2e.mjs can run it without a TypeScript loader). */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export const TYPES: Record<string, string>;
export function inside(dir: string, rest: string): string | null;
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, type?: string): void;

export function startServer(opts?: {
  root?: string;
  port?: number;
  host?: string;
  mounts?: Record<string, string>;
}): Promise<{ server: Server; url: string }>;
