import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from './respond.js';

/** The console's own assets: plain HTML, JS and CSS served as they are on disk (no build step, no CDN). */
const STATIC_DIR = fileURLToPath(new URL('../static/', import.meta.url));
const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'graph.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** Serves one of the known assets (never a path from the request); false when the name is not one. */
export async function serveAsset(res: ServerResponse, name: string): Promise<boolean> {
  const type = ASSETS[name];
  if (!type) return false;
  const body = await readFile(STATIC_DIR + name);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
  return true;
}
