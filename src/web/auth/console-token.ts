import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { CordonError, fileProblem } from '../../errors.js';

/**
 * The console's access token. The console answers on the node's http_listen
 * (loopback unless the operator says otherwise), and every page and API call
 * needs this token as well: a bearer header, or the session cookie set when
 * the console is opened once with `?token=…` (the cookie carries a session
 * id that expires, never the token: console-sessions.ts). It lives in the
 * node's directory (mode 0600), created at first start; rotate it by
 * deleting the file and restarting the node.
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

/** The token a request presents in an `Authorization: Bearer` header. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
}

/** The session id a request's cookie carries. */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  return cookieValue(req.headers.cookie, CONSOLE_COOKIE);
}

export function tokenMatches(presented: string | undefined, token: string): boolean {
  return presented !== undefined && same(presented, token);
}

/**
 * The session cookie: HttpOnly (scripts never see it), SameSite=Strict (no
 * cross-site request carries it), Path=/ (the console and its API), Max-Age
 * (the browser drops it when the session ends on the node), and Secure when
 * the listener is reached over TLS (a browser then never sends it in clear).
 */
export function sessionCookie(sessionId: string, opts: { maxAgeMs: number; secure: boolean }): string {
  return `${CONSOLE_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(opts.maxAgeMs / 1000)}${opts.secure ? '; Secure' : ''}`;
}
