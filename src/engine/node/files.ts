/** Node only: a fetch() that serves local files, so that loadModel() reads model packages from disk. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/** Directory as a file:// base URL ending with '/'. */
export function dirUrl(dir: string): string {
  return pathToFileURL(path.resolve(dir)).href.replace(/\/?$/, '/');
}

export const fileFetch: typeof fetch = async (input) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const data = await readFile(fileURLToPath(url));
    return new Response(data, { status: 200 });
  } catch {
    return new Response('not found', { status: 404 });
  }
};
