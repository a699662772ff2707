import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { CordonError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { HttpRoute } from './node-part.js';
import { HTTP_LISTENER, listenError } from './probe-listen.js';

// Limits of the node's HTTP listener. Every route (console, /metrics, TAXII)
// answers small GET/HEAD requests that carry no body, so they can be tight.

/** Request line and headers together. A credential, Accept and a cookie take a few hundred bytes; 16 KiB is Node's own default, named so that a process-wide --max-http-header-size cannot raise it. Beyond it Node answers 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** For a client to send its request line and headers (from connecting, or since its previous answer). A real client needs far under a second; 10 s allows slow links and caps how long a slowloris client holds a socket (Node's default: 60 s). Beyond it Node answers 408. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** For the whole request: no route takes a body, so a little beyond the headers (Node's default: 5 min). */
export const REQUEST_TIMEOUT_MS = 15_000;
/** How often Node enforces the two timeouts above; at its default (30 s) a slow client could hold a socket for 40 s. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Characters of a refusal's own message an answer repeats (the rest is in the log). */
const MESSAGE_CHARS = 200;

/** What Node itself would answer to a request it could not parse (its default 'clientError' handling). */
const CLIENT_ERROR_ANSWERS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * The request target as a URL, or a throw (answered 400). Origin-form
 * (`/path?query`, RFC 9112 §3.2.1) is appended to a fixed origin, never
 * resolved against it; a target starting `//` is refused, since URL parsers
 * read it as a host (`//x/api/health` would reach /api/health on host x, and
 * `//` alone is no URL at all) and no route has an empty first segment.
 * Absolute-form (`http://host/path`) is parsed as it is; anything else (`*`,
 * garbage) throws.
 */
function requestUrl(target: string): URL {
  if (target.startsWith('//')) throw new CordonError('INVALID_INPUT', 'a request path starting with //');
  return target.startsWith('/') ? new URL(`http://node${target}`) : new URL(target);
}

/**
 * A failed handler's answer: 400 for input it could not read (a request
 * target that is no URL, bad percent-encoding: URIError, a CordonError
 * INVALID_INPUT), 500 for anything else. Always one line of JSON; a 500
 * never says more than 'internal error' (the log has the rest).
 */
function failureAnswer(err: unknown): { status: number; error: string } {
  if (err instanceof URIError) return { status: 400, error: 'bad request: malformed percent-encoding in the request path' };
  if (err instanceof CordonError && err.code === 'INVALID_INPUT') return { status: 400, error: `bad request: ${err.message.slice(0, MESSAGE_CHARS)}` };
  return { status: 500, error: 'internal error' };
}

function answer(res: ServerResponse, status: number, error: string): void {
  if (res.writableEnded) return;
  // Part of another answer went out already: cut the connection rather than append to it.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify({ error }) + '\n');
}

/**
 * The node's HTTP listener: asks each part's route in turn; 404 when none
 * answers. No request can end the process: whatever a handler throws or
 * rejects with becomes a 400 or 500 answer (failureAnswer), and a failure to
 * answer at all destroys that one connection. Requests Node cannot parse
 * (malformed request lines, headers over MAX_HEADER_BYTES, timeouts) are
 * answered 400/431/408 and their socket destroyed ('clientError').
 */
export async function startHttpServer(listen: string, routes: readonly HttpRoute[], log: Logger): Promise<{ address: string; close(): Promise<void> }> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = requestUrl(req.url ?? '/');
    } catch {
      return answer(res, 400, 'bad request: the request target is not a URL path');
    }
    try {
      for (const route of routes) if (await route(req, res, url)) return;
      answer(res, 404, `no route for ${req.method} ${url.pathname.slice(0, MESSAGE_CHARS)}`);
    } catch (err) {
      const { status, error } = failureAnswer(err);
      if (status === 500) log.error('http handler failed', { path: url.pathname.slice(0, MESSAGE_CHARS), error: errorMessage(err) });
      else log.debug('http request refused', { path: url.pathname.slice(0, MESSAGE_CHARS), error: errorMessage(err) });
      answer(res, status, error);
    }
  };
  const server: Server = createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Even answering failed (a route broke the response): lose this connection, never the process.
      log.error('http answer failed', { error: errorMessage(err) });
      res.destroy();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's default handling, plus a debug line: answer if nothing of another answer went out, then drop the socket.
    log.debug('http client error', { code: err.code ?? 'unknown' });
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      socket.write(`HTTP/1.1 ${CLIENT_ERROR_ANSWERS[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  const sep = listen.lastIndexOf(':');
  const host = listen.slice(0, sep).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const refused = (err: NodeJS.ErrnoException) => reject(listenError(HTTP_LISTENER, listen, err.code, err.message));
    server.once('error', refused);
    server.listen(Number(listen.slice(sep + 1)), host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  // Once listening, an 'error' without a listener would end the process (e.g. EMFILE on accept when a client opens sockets until the descriptors run out).
  server.on('error', (err: NodeJS.ErrnoException) => log.error('http listener error', { code: err.code ?? 'unknown', error: err.message }));
  const port = (server.address() as { port: number }).port;
  return {
    address: `${listen.slice(0, sep)}:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
