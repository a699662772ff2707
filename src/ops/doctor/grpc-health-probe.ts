import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { CordonError } from '../../errors.js';

/** grpc.health.v1.Health/Check by hand: the request and the response are one field each. */
const CHECK = '/grpc.health.v1.Health/Check';
const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export interface HealthProbe {
  /** SERVING, NOT_SERVING, … as the node answered. */
  readonly status: string;
  /** The peer's clock from its HTTP/2 `date` response header (whole seconds), if it sent one. */
  readonly peerDateMs?: number;
  /** Our clock halfway through the call: what the peer's clock should have read. */
  readonly midpointMs: number;
  readonly roundTripMs: number;
}

function encodeRequest(service: string): Buffer {
  const name = Buffer.from(service);
  return name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
}

/** Asks a node's gRPC health service (no call token needed) how it is; UNAVAILABLE when it does not answer. */
export async function probeHealth(address: string, timeoutMs: number, service = ''): Promise<HealthProbe> {
  const client = new Client(address, credentials.createInsecure());
  const started = Date.now();
  let peerDateMs: number | undefined;
  try {
    const res = await new Promise<Buffer>((resolve, reject) => {
      const call = client.makeUnaryRequest(CHECK, (b: Buffer) => b, (b: Buffer) => b, encodeRequest(service), new Metadata(), { deadline: started + timeoutMs },
        (err: ServiceError | null, r?: Buffer) => (err ? reject(new CordonError('UNAVAILABLE', `${address}: ${err.details || err.message}`)) : resolve(r ?? Buffer.alloc(0))));
      call.on('metadata', (md: Metadata) => {
        const date = Date.parse(String(md.get('date')[0] ?? ''));
        if (Number.isFinite(date)) peerDateMs = date;
      });
    });
    const ended = Date.now();
    const code = res.length >= 2 && res[0] === 0x08 ? res[1]! : 0;
    return { status: STATUS[code] ?? String(code), ...(peerDateMs !== undefined ? { peerDateMs } : {}), midpointMs: (started + ended) / 2, roundTripMs: ended - started };
  } finally {
    client.close();
  }
}
