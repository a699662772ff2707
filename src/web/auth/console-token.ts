import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { CordonError, fileProblem } from '../../errors.js';

/**
 * The console's access token. The console answers on the node's http_listen
 * (loopback unless the operator says otherwise), and every page and API call
 * needs this token as well: a bearer header, or the session cookie set when
 * the console is opened once with `?token=…`. It lives in the node's
 * directory (mode 0600), created at first start; rotate it by deleting the
 * file and restarting the node.
 */
export const CONSOLE_TOKEN_FILE = 'console-token';
export const CONSOLE_COOKIE = 'cordon_console';
/** 256 bits: not guessable online however many requests are made. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export async function loadConsoleToken(nodeDir: string): Promise<string> {
  const path = join(nodeDir, CONSOLE_TOKEN_FILE);
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (!TOKEN_SHAPE.test(token)) throw new CordonError('INVALID_CONFIG', `${path}: not a console token (43 base64url characters); delete it to have a new one made`);
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof CordonError) throw err;
      throw new CordonError('INVALID_CONFIG', `console token ${path}: ${fileProblem(err)}`);
    }
  }
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await writeFile(path, token + '\n', { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    // Another process made it first: use theirs.
    if (err.code !== 'EEXIST') throw new CordonError('INVALID_CONFIG', `console token ${path}: ${fileProblem(err)}`);
  });
  return (await readFile(path, 'utf8')).trim();
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token a request presents (bearer header first, then the session cookie). */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return cookieValue(req.headers.cookie, CONSOLE_COOKIE);
}

export function tokenMatches(presented: string | undefined, token: string): boolean {
  return presented !== undefined && same(presented, token);
}

/** The session cookie: HttpOnly (scripts never see it), SameSite=Strict (no cross-site requests carry it). */
export function sessionCookie(token: string): string {
  return `${CONSOLE_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
