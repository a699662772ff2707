import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startNode, type RunningNode } from '../../src/federation/node/start-node.js';
import { createLogger } from '../../src/log.js';
import { cli, createFederation, eventually, type Federation } from '../support/federation.js';

/**
 * What an operator sees in the first hour: a provider or regulator started
 * before the consortium node logs the unreachable node once (named as `peer`,
 * the line's `node` being the emitting node) and retries with back-off, and
 * `cordon taxii add-user` does not claim TAXII is off when the node serves it.
 */
type Line = { level: string; msg: string; node?: string; peer?: string; [k: string]: unknown };

async function startLogged(fed: Federation, id: string, lines: Line[]): Promise<RunningNode> {
  const config = await loadConfig(fed.dirs[id]!);
  // No `node` in the logger handed in: the node itself must name itself on every line.
  const log = createLogger({}, { level: 'debug', write: (l) => lines.push(JSON.parse(l) as Line) });
  // The smallest interval the schema allows: back-off steps (and so the test) stay short.
  return startNode({ ...config, replication_interval_ms: 50 }, { log });
}

describe('retry loops and their logs while the consortium node is down', () => {
  let fed: Federation;
  const provider: Line[] = [];
  const regulator: Line[] = [];
  const running: RunningNode[] = [];

  beforeAll(async () => {
    // c1 is created (in the manifest, its port reserved) but never started.
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    running.push(await startLogged(fed, 'p1', provider), await startLogged(fed, 'reg', regulator));
  });
  afterAll(async () => {
    await Promise.all(running.map((n) => n.stop()));
  });

  it('the provider warns once that c1 is unreachable, naming itself as node and c1 as peer, then only retries with back-off', async () => {
    const delivery = (l: Line) => l.peer === 'c1' && /^delivery/.test(l.msg);
    const warnings = () => provider.filter((l) => delivery(l) && l.level === 'warn');
    await eventually(async () => warnings().length > 0, 40_000, 'the delivery warning (after the startup quiet)');
    const warnedAt = provider.indexOf(warnings()[0]!);
    // Several retry periods after the warning: attempts go on, at debug only.
    const retries = await eventually(async () => {
      const after = provider.slice(warnedAt + 1).filter((l) => delivery(l) && l.level === 'debug');
      return after.length >= 3 ? after : undefined;
    }, 40_000, 'three retries after the warning');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ node: 'p1', peer: 'c1', code: 'UNAVAILABLE', msg: expect.stringMatching(/unreachable; retrying/) });
    expect(String(warnings()[0]!.error)).toMatch(/^c1: unreachable \(/);
    // The waits grow (jittered doubling up to the cap), rather than one attempt per round.
    const waits = retries.map((l) => Number(l.retry_in_ms));
    expect(Math.max(...waits)).toBeGreaterThan(50);
    for (const l of provider) {
      expect(l.node).toBe('p1');
      expect(JSON.stringify(l)).not.toMatch(/Resolution note/);
    }
  });

  it('witness lines name the regulator as node and the watched consortium node as peer', async () => {
    const failed = await eventually(async () => regulator.find((l) => l.msg === 'witness step failed'), 20_000, 'a failed witness step');
    expect(failed).toMatchObject({ node: 'reg', peer: 'c1', level: 'warn' });
    for (const l of regulator) {
      expect(l.node).toBe('reg');
      expect(JSON.stringify(l)).not.toMatch(/Resolution note/);
    }
    // Once per distinct error, not once per round: the rest are debug.
    await eventually(async () => regulator.filter((l) => l.msg === 'witness step still failing' && l.peer === 'c1').length >= 3, 20_000, 'witness retries');
    const warned = regulator.filter((l) => l.msg === 'witness step failed');
    expect(new Set(warned.map((l) => `${l.step}|${l.error}`)).size).toBe(warned.length);
  });

  it('taxii add-user gives the TAXII address the node is configured with, and never says TAXII is off', async () => {
    const plain = await cli(['taxii', 'add-user', '--node', fed.dirs.reg!, '--name', 'analyst-1']);
    expect(plain.code).toBe(0);
    expect(plain.out).not.toMatch(/set http_listen to serve TAXII/);
    expect(plain.out).toMatch(/discovery: http:\/\/<HTTP address>\/taxii2\//);
    expect(plain.out).toMatch(/CORDON_HTTP_LISTEN/);
    process.env.CORDON_HTTP_LISTEN = '127.0.0.1:8443';
    try {
      const overridden = await cli(['taxii', 'add-user', '--node', fed.dirs.reg!, '--name', 'analyst-2']);
      expect(overridden.code).toBe(0);
      expect(overridden.out).toMatch(/discovery: http:\/\/127\.0\.0\.1:8443\/taxii2\//);
      expect(overridden.out).not.toMatch(/HTTP address>/);
    } finally {
      delete process.env.CORDON_HTTP_LISTEN;
    }
  });
});
