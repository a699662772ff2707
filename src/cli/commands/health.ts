import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { CordonError } from '../../errors.js';
import { parseCommandArgs, type Command } from '../command.js';

/** grpc.health.v1.Health/Check by hand: the request and response are one field each. */
const CHECK = '/grpc.health.v1.Health/Check';
const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

function encodeRequest(service: string): Buffer {
  const name = Buffer.from(service);
  return name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
}

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
    const client = new Client(address, credentials.createInsecure());
    try {
      const res = await new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(CHECK, (b: Buffer) => b, (b: Buffer) => b, encodeRequest(values.service ?? ''), new Metadata(), { deadline: Date.now() + Number(values.timeout ?? 3000) },
          (err: ServiceError | null, r?: Buffer) => (err ? reject(new CordonError('UNAVAILABLE', `${address}: ${err.details || err.message}`)) : resolve(r ?? Buffer.alloc(0)))),
      );
      const status = res.length >= 2 && res[0] === 0x08 ? res[1]! : 0;
      io.out(`${address}: ${STATUS[status] ?? status}`);
      return status === 1 ? 0 : 1;
    } finally {
      client.close();
    }
  },
};
