import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';

/**
 * A gRPC call with hand-made bytes and metadata: for tests that send what a
 * well-behaved client never would (replayed tokens, garbage protobuf).
 */
export function rawUnary(address: string, path: string, request: Uint8Array, token?: string): Promise<{ code: number; details: string; metadata?: Metadata; response?: Buffer }> {
  const client = new Client(address, credentials.createInsecure());
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, request, md, { deadline: Date.now() + 10_000 }, (err: ServiceError | null, res?: Buffer) => {
      client.close();
      if (err) resolve({ code: err.code, details: err.details, metadata: err.metadata });
      else resolve({ code: 0, details: '', ...(res ? { response: res } : {}) });
    });
  });
}
