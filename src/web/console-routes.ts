import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { CordonError, errorMessage } from '../errors.js';
import type { HttpRoute } from '../federation/node/node-part.js';
import type { Role } from '../federation/membership/schema.js';
import type { Logger } from '../log.js';
import { ConsoleSessions } from './auth/console-sessions.js';
import { bearerToken, sessionCookie, sessionIdOf, tokenMatches } from './auth/console-token.js';
import { sendError, sendJson, SECURITY_HEADERS } from './http/respond.js';
import { serveAsset } from './http/static-files.js';
import type { CampaignViews } from './views/view-types.js';

/** Everything the console's API reads, per view; each already limited to what the role may see. */
export interface ConsoleViews {
  role: Role;
  campaigns: CampaignViews;
  alerts(): Promise<unknown>;
  cases(): Promise<unknown>;
  audit(): Promise<unknown>;
  reports(): Promise<unknown>;
  health(): Promise<unknown>;
}

/** How the console lets a browser in after it opened the console with the token. */
export interface ConsoleSessionOptions {
  /** Where sessions live (default: a fresh in-memory store with its named defaults). */
  sessions?: ConsoleSessions;
  /**
   * The listener is reached over TLS (a terminating proxy in front of it:
   * config http_behind_tls), so the session cookie is marked Secure. A request
   * on a TLS socket gets Secure regardless. Never inferred from
   * X-Forwarded-Proto: any client can send that header.
   */
  behindTls?: boolean;
}

const CONSOLE = '/console/';
const READS = new Set(['GET', 'HEAD']);

/**
 * The console on the node's HTTP listener: the single-page app at /console/
 * and its JSON API at /api/. Every request needs the console token as a
 * bearer header, or a live session's cookie (opening /console/?token=… starts
 * a session; the cookie holds its id, never the token). The API
 * only reads: it has no write endpoint, and on the regulator's node any
 * write is refused outright with 403 (the regulator's node is read-only).
 */
export function consoleRoutes(views: ConsoleViews, token: string, log: Logger, opts: ConsoleSessionOptions = {}): HttpRoute {
  const sessions = opts.sessions ?? new ConsoleSessions();
  const authorized = (req: IncomingMessage) => tokenMatches(bearerToken(req), token) || sessions.valid(sessionIdOf(req));
  const secure = (req: IncomingMessage) => opts.behindTls === true || (req.socket as TLSSocket).encrypted === true;
  const api: Record<string, () => Promise<unknown>> = {
    '/api/campaigns': async () => ({ campaigns: await views.campaigns.list() }),
    '/api/alerts': views.alerts,
    '/api/cases': views.cases,
    '/api/audit': views.audit,
    '/api/reports': views.reports,
    '/api/health': views.health,
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<true> => {
    if (!READS.has(req.method ?? '')) {
      return views.role === 'regulator'
        ? sendError(res, 403, 'the regulator\'s node is read-only: the console and its API accept no writes')
        : sendError(res, 405, `the console API is read-only: ${req.method} ${url.pathname} is not allowed`);
    }
    const campaign = /^\/api\/campaigns\/([^/]+)$/.exec(url.pathname);
    // Decoded outside the view's error handling: broken percent-escapes are the client's mistake,
    // which the listener answers 400 (http-server.ts), not a failed view.
    const campaignId = campaign ? decodeURIComponent(campaign[1]!) : undefined;
    try {
      if (campaignId !== undefined) {
        const detail = await views.campaigns.detail(campaignId);
        return detail ? sendJson(res, 200, detail) : sendError(res, 404, `campaign ${JSON.stringify(campaign![1]).slice(0, 80)}: not found`);
      }
      const view = api[url.pathname];
      return view ? sendJson(res, 200, await view()) : sendError(res, 404, `no console API at ${url.pathname}`);
    } catch (err) {
      if (err instanceof CordonError && err.code === 'UNAVAILABLE') return sendError(res, 503, errorMessage(err));
      log.error('console view failed', { path: url.pathname, error: errorMessage(err) });
      return sendError(res, 500, 'internal error');
    }
  };

  return async (req, res, url) => {
    const isApi = url.pathname.startsWith('/api/');
    if (!isApi && url.pathname !== '/' && url.pathname !== '/console' && !url.pathname.startsWith(CONSOLE)) return false;
    // Opening the console with its token once: trade it for a session cookie and drop it from the address bar.
    const offered = url.searchParams.get('token');
    if (!isApi && offered !== null && tokenMatches(offered, token)) {
      const cookie = sessionCookie(sessions.open(), { maxAgeMs: sessions.ttlMs, secure: secure(req) });
      res.writeHead(303, { ...SECURITY_HEADERS, location: CONSOLE, 'set-cookie': cookie }).end();
      return true;
    }
    if (!authorized(req)) {
      if (isApi) return sendError(res, 401, 'the console needs its token: Authorization: Bearer <token from the node directory\'s console-token file>');
      res.writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' })
        .end('Cordon console: open the address the node printed, ending in ?token=… (the token is in the node directory\'s console-token file).\n');
      return true;
    }
    if (isApi) return handleApi(req, res, url);
    if (url.pathname === '/' || url.pathname === '/console') {
      res.writeHead(303, { ...SECURITY_HEADERS, location: CONSOLE }).end();
      return true;
    }
    const name = url.pathname === CONSOLE ? 'index.html' : url.pathname.slice(CONSOLE.length);
    if (!READS.has(req.method ?? '')) return sendError(res, views.role === 'regulator' ? 403 : 405, 'the console accepts no writes');
    if (await serveAsset(res, name)) return true;
    return sendError(res, 404, `no console asset ${url.pathname}`);
  };
}
