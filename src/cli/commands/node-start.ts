import { installRejectionPolicy } from '../../federation/node/rejection-policy.js';
import { startNode } from '../../federation/node/start-node.js';
import { CordonError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { parseCommandArgs, type Command, loadNodeConfig } from '../command.js';

/**
 * The first SIGINT or SIGTERM, after which the handlers are gone: a second
 * signal ends the process as Node's default does, for an operator who will
 * not wait for a graceful stop.
 */
function stopSignal(): { received: Promise<void>; dispose(): void } {
  let received!: () => void;
  const promise = new Promise<void>((resolve) => (received = resolve));
  const dispose = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const stop = () => {
    dispose();
    received();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { received: promise, dispose };
}

export const nodeStart: Command = {
  name: 'node start',
  summary: 'run a node (any role) until interrupted',
  help: `Usage: cordon node start [--node DIR]

Starts the node configured in DIR/cordon.json (default: $CORDON_NODE or .; --dir DIR, as in
cordon init, means the same): its database (embedded PostgreSQL in the data directory
unless DATABASE_URL / database_url is set),
its gRPC server with health checking and reflection, and the role's background work:
replication for consortium and regulator nodes, delivery of the outbox for providers.
SIGINT or SIGTERM stops it gracefully: in-flight calls and commits finish first; one that
arrives while it is still starting stops it as soon as it has started (a second one ends it
at once). Addresses that are taken or invalid are refused before the database starts, and a
start that fails stops whatever it started, the embedded database included.
A promise rejection nothing handled is logged (error level) and the node keeps serving.

Environment: CORDON_LISTEN, CORDON_DATA_DIR, DATABASE_URL, CORDON_LOG_LEVEL override the config.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('node start', argv, { node: { type: 'string' }, dir: { type: 'string' } }, false);
    if (values.node !== undefined && values.dir !== undefined) throw new CordonError('INVALID_INPUT', 'give --node DIR or --dir DIR, not both (they are the same option)');
    const config = await loadNodeConfig({ node: values.node ?? values.dir }, values.dir !== undefined ? '--dir' : '--node');
    // Listening from before the start: a signal during it must not end the process with the database started.
    const signal = stopSignal();
    let node;
    try {
      node = await startNode(config);
    } finally {
      if (!node) signal.dispose();
    }
    // From now on, an unhandled rejection is logged and the node keeps serving (the choice and its reasons:
    // rejection-policy.ts). Not before: a node that fails to start exits either way.
    installRejectionPolicy(createLogger({ node: config.id, role: config.role }));
    io.out(`${config.role} node '${config.id}' listening on ${node.address}`);
    await signal.received;
    await node.stop();
    return 0;
  },
};
