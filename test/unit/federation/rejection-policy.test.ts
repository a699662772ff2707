import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The node process's policy for unhandled rejections (rejection-policy.ts),
 * in a process of its own: vitest installs its own handler in its workers,
 * which would hide what Node does by default.
 */
const POLICY = resolve('src/federation/node/rejection-policy.ts');
const LOG = resolve('src/log.ts');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cordon-rejection-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs a script that (maybe) installs the policy twice, rejects a promise nobody handles, then says it is alive. */
async function run(install: boolean): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const script = join(scratch, `script-${install}.ts`);
  await writeFile(script, `
    import { installRejectionPolicy } from ${JSON.stringify(POLICY)};
    import { createLogger } from ${JSON.stringify(LOG)};
    const log = createLogger({ node: 'n1' }, { write: (line) => process.stdout.write(line + '\\n') });
    if (${install}) console.log(JSON.stringify({ first: installRejectionPolicy(log), second: installRejectionPolicy(log) }));
    void Promise.reject(new Error('nobody awaited this'));
    // Node settles unhandled rejections before the next turn of the event loop: setImmediate runs after.
    setImmediate(() => console.log(JSON.stringify({ alive: true, listeners: process.listenerCount('unhandledRejection') })));
  `);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('unhandled rejections in the node process', () => {
  it('are logged with their stack, and the process keeps running; installing twice installs once', async () => {
    const r = await run(true);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ first: true, second: false });
    expect(lines[1]).toMatchObject({ level: 'error', node: 'n1', msg: expect.stringMatching(/unhandled promise rejection/), error: 'nobody awaited this', stack: expect.stringContaining('nobody awaited this') });
    expect(lines[2]).toEqual({ alive: true, listeners: 1 });
  });

  it('end the process without the policy (Node\'s default, which the policy replaces)', async () => {
    const r = await run(false);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('alive');
    expect(r.stderr).toContain('nobody awaited this');
  });
});
