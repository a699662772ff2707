import { CordonError } from '../../errors.js';
import { TaxiiUsers } from '../../regulator/taxii/users.js';
import { API_ROOT_PATH, DISCOVERY_PATH, FEDERATION_COLLECTION_ID } from '../../regulator/taxii/constants.js';
import type { ResolvedConfig } from '../../config/schema.js';
import { openNodeDatabase } from '../../store/database.js';
import { loadNodeConfig, parseCommandArgs, requireOption, type Command } from '../command.js';

/** `cordon taxii add-user | revoke-user | users`: who may read the regulator's TAXII server. */

async function withUsers<T>(values: { node?: string | boolean | undefined }, command: string, f: (users: TaxiiUsers, config: ResolvedConfig) => Promise<T>): Promise<T> {
  const config = await loadNodeConfig(values);
  if (config.role !== 'regulator') throw new CordonError('INVALID_INPUT', `cordon ${command}: node '${config.id}' is a ${config.role}; the TAXII server runs on the regulator's node`);
  const db = await openNodeDatabase(config);
  try {
    return await f(new TaxiiUsers(db.sql), config);
  } finally {
    await db.close({ stopServer: true });
  }
}

export const taxiiAddUser: Command = {
  name: 'taxii add-user',
  summary: "issue a TAXII token to one of the regulator's analysts",
  help: `Usage: cordon taxii add-user --name NAME [--node DIR]

Creates a TAXII user on the regulator's node and prints its token once (only its SHA-256 is
stored). The TAXII server (/taxii2/ on the node's http_listen address) accepts it at once as:
  HTTP Basic auth, user NAME and the token as password (what TAXII clients send), or
  Authorization: Bearer <token>
Example: cordon taxii add-user --node ./regulator --name analyst-1`,
  async run(argv, io) {
    const { values } = parseCommandArgs('taxii add-user', argv, { node: { type: 'string' }, name: { type: 'string' } }, false);
    const name = requireOption('taxii add-user', values, 'name');
    return withUsers(values, 'taxii add-user', async (users, config) => {
      const token = await users.add(name);
      io.out(`TAXII user ${name}; token (shown once, keep it secret):`);
      io.out(token);
      // The effective config (cordon.json with CORDON_HTTP_LISTEN applied) may still not be how the
      // node runs: a node can be started with an HTTP listener given in code (the demo does). Without
      // an address here, say where to find it rather than that TAXII is off.
      const base = config.http_listen ? `http://${config.http_listen}` : 'http://<HTTP address>';
      io.out(`discovery: ${base}${DISCOVERY_PATH}  api root: ${API_ROOT_PATH}  collection: ${FEDERATION_COLLECTION_ID}`);
      if (!config.http_listen) io.out(`(neither ${config.configPath} nor CORDON_HTTP_LISTEN names the node's HTTP address: use the one the running node logged at start, "node started" field http)`);
      return 0;
    });
  },
};

export const taxiiRevokeUser: Command = {
  name: 'taxii revoke-user',
  summary: "revoke a TAXII user's token",
  help: `Usage: cordon taxii revoke-user --name NAME [--node DIR]

The token stops working on the next request.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('taxii revoke-user', argv, { node: { type: 'string' }, name: { type: 'string' } }, false);
    const name = requireOption('taxii revoke-user', values, 'name');
    return withUsers(values, 'taxii revoke-user', async (users) => {
      await users.revoke(name);
      io.out(`revoked TAXII user ${name}`);
      return 0;
    });
  },
};

export const taxiiUsers: Command = {
  name: 'taxii users',
  summary: 'list TAXII users',
  help: 'Usage: cordon taxii users [--node DIR]\n\nLists TAXII users with when they were created and, if so, revoked.',
  async run(argv, io) {
    const { values } = parseCommandArgs('taxii users', argv, { node: { type: 'string' } }, false);
    return withUsers(values, 'taxii users', async (users) => {
      for (const u of await users.list()) io.out(`${u.name.padEnd(24)} created ${u.createdAt.toISOString()}${u.revokedAt ? `  revoked ${u.revokedAt.toISOString()}` : ''}`);
      return 0;
    });
  },
};
