import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/federation.js';

/** What a command run as a process prints on stderr, with grpc-js made as talkative as it gets. */
function run(args: string[]): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, GRPC_VERBOSITY: 'DEBUG', GRPC_TRACE: 'all' } }, (error, _out, err) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, err });
    });
  });
}

/** A port nothing listens on: taken and let go. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Libraries print nothing of their own on stderr unless --verbose (README, Errors): the command's one line is all. */
describe('library log lines', () => {
  it('are dropped by default and shown with --verbose', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const quiet = await run(['health', '--address', address, '--timeout', '500']);
    expect(quiet.code).toBe(1);
    expect(quiet.err.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cordon health: ${address.replaceAll('.', '\\.')}: `))]);
    const verbose = await run(['health', '--verbose', '--address', address, '--timeout', '500']);
    expect(verbose.code).toBe(1);
    expect(verbose.err.split('\n').filter((l) => /^D \d|^D /.test(l)).length).toBeGreaterThan(0);
  });
});
