import { startNode } from '../../federation/node/start-node.js';
import { parseCommandArgs, type Command, loadNodeConfig } from '../command.js';

export const nodeStart: Command = {
  name: 'node start',
  summary: 'run a node (any role) until interrupted',
  help: `Usage: cordon node start [--node DIR]

Starts the node configured in DIR/cordon.json (default: $CORDON_NODE or .): its database
(embedded PostgreSQL in the data directory unless DATABASE_URL / database_url is set),
its gRPC server with health checking and reflection, and the role's background work:
replication for consortium and regulator nodes, delivery of the outbox for providers.
SIGINT or SIGTERM stops it gracefully: in-flight calls and commits finish first.

Environment: CORDON_LISTEN, CORDON_DATA_DIR, DATABASE_URL, CORDON_LOG_LEVEL override the config.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('node start', argv, { node: { type: 'string' } }, false);
    const config = await loadNodeConfig(values);
    const node = await startNode(config);
    io.out(`${config.role} node '${config.id}' listening on ${node.address}`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await node.stop();
    return 0;
  },
};
