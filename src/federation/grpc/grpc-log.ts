import { setLogger } from '@grpc/grpc-js';

/**
 * Where grpc-js's own log lines go. The CLI's rule is that stderr carries
 * Cordon's one-line errors and the node's structured log, and nothing a
 * library prints on its own unless the operator asks with `--verbose`
 * (README, Errors): grpc-js reports what matters to the caller through the
 * errors it returns, which Cordon words itself. A library embedding Cordon
 * without the CLI keeps grpc-js's lines (the default here).
 *
 * One line is dropped always: the failed-bind line ('No address added out of
 * total …'), which repeats the rejection the node turns into its own error.
 */
const BIND_FAILED = 'No address added out of total';

let verbose = true;
let installed = false;

/** Whether grpc-js's lines reach stderr (the CLI sets it from `--verbose`). */
export function setGrpcLogVerbose(on: boolean): void {
  verbose = on;
  installGrpcLog();
}

/** Installs the routing once per process; later calls change nothing. */
export function installGrpcLog(): void {
  if (installed) return;
  installed = true;
  const write = (tag: string) => (message?: unknown, ...rest: unknown[]) => {
    if (!verbose || String(message).startsWith(BIND_FAILED)) return;
    console.error(`${tag} ${String(message)}`, ...rest);
  };
  setLogger({ error: write('E'), info: write('I'), debug: write('D') });
}
