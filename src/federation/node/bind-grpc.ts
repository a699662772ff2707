import { ServerCredentials, setLogger, type Server } from '@grpc/grpc-js';
import { GRPC_LISTENER, listenError } from './probe-listen.js';

/** How grpc-js begins the line it logs, and the error it rejects with, when no address could be bound. */
const BIND_FAILED = 'No address added out of total';

let bindLogFiltered = false;

/**
 * grpc-js logs a failed bind on stderr ('E No address added out of total 1
 * resolved') and also rejects the bind with the same words. The rejection
 * becomes the command's error, and errors are one line (README, Errors), so
 * that log line is dropped; every other line grpc-js logs is written as its
 * default logger writes it. Once per process.
 */
function dropBindFailureLog(): void {
  if (bindLogFiltered) return;
  bindLogFiltered = true;
  setLogger({
    error: (message?: unknown, ...rest: unknown[]) => {
      if (!String(message).startsWith(BIND_FAILED)) console.error(`E ${String(message)}`, ...rest);
    },
    info: (message?: unknown, ...rest: unknown[]) => console.error(`I ${String(message)}`, ...rest),
    debug: (message?: unknown, ...rest: unknown[]) => console.error(`D ${String(message)}`, ...rest),
  });
}

/** Binds `server` to `listen` as the node always has (insecure credentials); resolves to the bound port. */
export function bindGrpc(server: Server, listen: string): Promise<number> {
  dropBindFailureLog();
  return new Promise((resolve, reject) =>
    server.bindAsync(listen, ServerCredentials.createInsecure(), (err, port) => {
      if (!err) return resolve(port);
      // grpc-js names the system error only inside its message: "… errors: [listen EADDRINUSE: …]".
      reject(listenError(GRPC_LISTENER, listen, /\b(E[A-Z_]{3,})\b/.exec(err.message)?.[1], err.message));
    }),
  );
}
