import { CordonError } from '../../errors.js';
import { listenProblem } from '../../config/listen.js';
import { probeHealth } from '../../ops/doctor/grpc-health-probe.js';
import { integerOption, loadNodeConfig, parseCommandArgs, type Command } from '../command.js';

/** The address probed when none is given: the config's default listen address. */
const DEFAULT_ADDRESS = '127.0.0.1:7400';
/** How long to wait for the answer; a container probe's own timeout is longer (deploy/: 5 s). */
const DEFAULT_TIMEOUT_MS = 3_000;

/** Hosts that mean "every interface" in a listen address, and the loopback address a local probe reaches them on. */
const WILDCARD_HOSTS: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]' };

/** Where to call a node that listens on `listen`, from the same machine. */
export function localAddressOf(listen: string): string {
  const sep = listen.lastIndexOf(':');
  const host = listen.slice(0, sep);
  const port = listen.slice(sep + 1);
  if (Number(port) === 0) throw new CordonError('INVALID_INPUT', `the node listens on ${listen} (port 0: any free port, chosen at start); give --address HOST:PORT`);
  return `${WILDCARD_HOSTS[host] ?? host}:${port}`;
}

export const health: Command = {
  name: 'health',
  summary: "ask a node's gRPC health service whether it is serving",
  help: `Usage: cordon health [--address HOST:PORT | --node DIR] [--service NAME] [--timeout MS]

Calls grpc.health.v1.Health/Check (no call token needed). Exit 0 when SERVING, 1 otherwise.
--node DIR asks the node in DIR at its configured listen address (0.0.0.0 and [::] are asked
on loopback); without either, $CORDON_LISTEN or ${DEFAULT_ADDRESS}.
Container health checks use it: cordon health --address 127.0.0.1:7400`,
  async run(argv, io) {
    const { values } = parseCommandArgs('health', argv, { address: { type: 'string' }, node: { type: 'string' }, service: { type: 'string' }, timeout: { type: 'string' } }, false);
    if (values.address !== undefined && values.node !== undefined) throw new CordonError('INVALID_INPUT', 'give --address or --node, not both');
    const address = values.address
      ?? (values.node !== undefined ? localAddressOf((await loadNodeConfig(values)).listen) : process.env.CORDON_LISTEN ?? DEFAULT_ADDRESS);
    const problem = listenProblem(address);
    if (problem) throw new CordonError('INVALID_INPUT', `${values.address !== undefined ? '--address' : 'CORDON_LISTEN'} '${address}': ${problem}`);
    const timeoutMs = integerOption('health', values, 'timeout', DEFAULT_TIMEOUT_MS, 1);
    const { status } = await probeHealth(address, timeoutMs, values.service ?? '');
    io.out(`${address}: ${status}`);
    return status === 'SERVING' ? 0 : 1;
  },
};
