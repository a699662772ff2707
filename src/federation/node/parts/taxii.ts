import { TaxiiCatalog } from '../../../regulator/taxii/catalog.js';
import { taxiiRoute } from '../../../regulator/taxii/router.js';
import { TaxiiUsers } from '../../../regulator/taxii/users.js';
import { regulatorData } from '../../../regulator/views/regulator-data.js';
import type { NodePart, NodePartFactory } from '../node-part.js';

/**
 * Regulator nodes: the read-only TAXII 2.1 server at /taxii2/ on the node's
 * HTTP listener (http_listen). Analysts authenticate with tokens issued by
 * `cordon taxii add-user`.
 */
export const taxiiPart: NodePartFactory = (ctx): NodePart | undefined => {
  if (ctx.config.role !== 'regulator') return undefined;
  const log = ctx.log.child({ part: 'taxii' });
  const catalog = new TaxiiCatalog(ctx.db.sql, regulatorData({ sql: ctx.db.sql, membership: ctx.membership }), log);
  return {
    name: 'taxii',
    http: taxiiRoute({ catalog, users: new TaxiiUsers(ctx.db.sql), log, consortium: () => ctx.membership.manifest.consortium }),
  };
};
