import { CordonError } from '../../errors.js';
import { probeHealth } from '../../ops/doctor/grpc-health-probe.js';
import { parseCommandArgs, type Command } from '../command.js';

export const health: Command = {
  name: 'health',
  summary: "ask a node's gRPC health service whether it is serving",
  help: `Usage: cordon health [--address HOST:PORT] [--service NAME] [--timeout MS]

Calls grpc.health.v1.Health/Check (no call token needed). Exit 0 when SERVING, 1 otherwise.
Container health checks use it: cordon health --address 127.0.0.1:7400`,
  async run(argv, io) {
    const { values } = parseCommandArgs('health', argv, { address: { type: 'string' }, service: { type: 'string' }, timeout: { type: 'string' } }, false);
    const address = values.address ?? process.env.CORDON_LISTEN ?? '127.0.0.1:7400';
    if (!/^[^:]+:\d+$|^\[.*\]:\d+$/.test(address)) throw new CordonError('INVALID_INPUT', `--address '${address}': must be host:port`);
    const { status } = await probeHealth(address, Number(values.timeout ?? 3000), values.service ?? '');
    io.out(`${address}: ${status}`);
    return status === 'SERVING' ? 0 : 1;
  },
};
