import { createServer, type Server } from 'node:http';
import { CordonError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { HttpRoute } from './node-part.js';

/** The node's HTTP listener: asks each part's route in turn; 404 when none answers. */
export async function startHttpServer(listen: string, routes: readonly HttpRoute[], log: Logger): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://node');
      try {
        for (const route of routes) if (await route(req, res, url)) return;
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no route for ${req.method} ${url.pathname}` }));
      } catch (err) {
        log.error('http handler failed', { path: url.pathname, error: errorMessage(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal error' }));
      }
    })();
  });
  const sep = listen.lastIndexOf(':');
  const host = listen.slice(0, sep).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new CordonError('UNAVAILABLE', `cannot listen for HTTP on ${listen}: ${err.message}`)));
    server.listen(Number(listen.slice(sep + 1)), host, resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    address: `${listen.slice(0, sep)}:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
