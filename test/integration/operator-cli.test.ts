import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { cli, createFederation, startInProcess, type Federation } from '../support/federation.js';

/** Commands of an operator's first hour against a running node: asking its health by directory, listing campaigns as JSON. */
describe('cordon health and campaigns on a running node', () => {
  let fed: Federation;
  let c1: RunningNode;
  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }]);
    c1 = await startInProcess(fed, 'c1');
  });
  afterAll(async () => {
    await c1?.stop();
  });

  it('health --node DIR asks the node at its configured address', async () => {
    const r = await cli(['health', '--node', fed.dirs.c1!]);
    expect(r).toMatchObject({ code: 0, out: `127.0.0.1:${fed.ports.c1}: SERVING\n` });
    // A node that is not running: one line naming the address, exit 1.
    const down = await cli(['health', '--node', fed.dirs.p1!, '--timeout', '500']);
    expect(down.code).toBe(1);
    expect(down.err.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cordon health: 127\\.0\\.0\\.1:${fed.ports.p1}: `))]);
  });

  it('health --node asks a node listening on every interface on loopback', async () => {
    const config = join(fed.dirs.c1!, 'cordon.json');
    const original = await readFile(config, 'utf8');
    await writeFile(config, JSON.stringify({ ...JSON.parse(original), listen: `0.0.0.0:${fed.ports.c1}` }));
    try {
      expect(await cli(['health', '--node', fed.dirs.c1!])).toMatchObject({ code: 0, out: `127.0.0.1:${fed.ports.c1}: SERVING\n` });
    } finally {
      await writeFile(config, original);
    }
    expect(await cli(['health', '--node', fed.dirs.c1!, '--address', `127.0.0.1:${fed.ports.c1}`])).toMatchObject({ code: 2, err: 'cordon health: give --address or --node, not both\n' });
  });

  it('campaigns --json prints a JSON array, [] when there are none', async () => {
    const r = await cli(['campaigns', '--node', fed.dirs.p1!, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual([]);
    expect(r.out).toBe('[]\n');
  });
});
