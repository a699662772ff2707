import { join } from 'node:path';
import { CONSOLE_TOKEN_FILE, loadConsoleToken } from '../../../web/auth/console-token.js';
import { consoleRoutes } from '../../../web/console-routes.js';
import { consoleViews } from '../../../web/console-views.js';
import type { NodePart, NodePartFactory } from '../node-part.js';

export const CONSOLE_PART = 'console';

/**
 * Every node with an HTTP listener (http_listen): the web console at
 * /console/ and its read-only JSON API at /api/, showing only what the
 * node's role may see. Access needs the token in `<node dir>/console-token`
 * (made at first start).
 */
export interface ConsolePart extends NodePart {
  /** The console token, for whoever starts the node in process (the demo prints the address with it). */
  readonly token: string;
}

export const consolePart: NodePartFactory = async (ctx): Promise<ConsolePart | undefined> => {
  if (!ctx.config.http_listen) return undefined;
  const token = await loadConsoleToken(ctx.config.dir);
  const log = ctx.log.child({ part: 'console' });
  return {
    name: CONSOLE_PART, token, http: consoleRoutes(consoleViews(ctx), token, log, { behindTls: ctx.config.http_behind_tls ?? false }),
    // Where to find it; never the token itself (logs are shipped elsewhere).
    start: () => log.info('console serving', { path: '/console/', http_listen: ctx.config.http_listen, token_file: join(ctx.config.dir, CONSOLE_TOKEN_FILE) }),
  };
};
