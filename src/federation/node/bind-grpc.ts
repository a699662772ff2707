import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { installGrpcLog } from '../grpc/grpc-log.js';
import { GRPC_LISTENER, listenError } from './probe-listen.js';

/** Binds `server` to `listen` as the node always has (insecure credentials); resolves to the bound port. */
export function bindGrpc(server: Server, listen: string): Promise<number> {
  // grpc-js also logs a failed bind, in the words of the rejection the caller gets: grpc-log.ts drops that line.
  installGrpcLog();
  return new Promise((resolve, reject) =>
    server.bindAsync(listen, ServerCredentials.createInsecure(), (err, port) => {
      if (!err) return resolve(port);
      // grpc-js names the system error only inside its message: "… errors: [listen EADDRINUSE: …]".
      reject(listenError(GRPC_LISTENER, listen, /\b(E[A-Z_]{3,})\b/.exec(err.message)?.[1], err.message));
    }),
  );
}
