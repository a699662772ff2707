import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNodeKey } from '../../src/crypto/keys.js';
import type { Identity } from '../../src/federation/client/peer-client.js';
import { Membership } from '../../src/federation/membership/membership.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedReport } from '../../src/regulator/reports/build-report.js';
import { fileWithRegulator } from '../../src/regulator/reports/submit-report.js';
import { FEDERATION_COLLECTION_ID } from '../../src/regulator/taxii/constants.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { stixSchemas } from '../unit/regulator/stix-schemas.js';
import { apiRoot, asPages, collections, discover, TaxiiConnection, TAXII_21, type Collection } from './taxii-client.js';

const tok = (n: number): string => n.toString(16).padStart(4, '0').repeat(16);

/**
 * Issue 5 acceptance: "the TAXII endpoint answers a standard client's
 * discovery → collections → objects walk with pagination" and "the regulator
 * cannot write anything through TAXII" — against a real regulator node
 * (`http_listen`), holding reports providers filed over gRPC, read with a
 * token issued by `cordon taxii add-user`.
 */
describe('TAXII 2.1 on a running regulator node', () => {
  let fed: Federation;
  let reg: RunningNode;
  let membership: Membership;
  const ids: Record<string, Identity> = {};
  let conn: TaxiiConnection;
  let base: string;
  let collection: Collection;

  async function file(provider: string, n: number, first: number): Promise<void> {
    const indicators = Array.from({ length: n }, (_, i) => ({ kind: 'device' as const, token_hex: tok(first + i), epoch: 1 }));
    const built = buildSignedReport({ providerId: provider, campaignRef: `case-${first}`, indicators, narrative: `Batch of ${n} devices rotating keys hourly.`, contact: 'desk' }, ids[provider]!.key);
    await fileWithRegulator(ids[provider]!, membership, { id: 'reg', address: reg.address }, built);
  }

  async function walk(filters: Record<string, string> = {}): Promise<{ objects: Record<string, unknown>[]; pages: number; last?: string }> {
    const objects: Record<string, unknown>[] = [];
    let pages = 0;
    let last: string | undefined;
    for await (const page of asPages(conn, collection, 'objects', 4, filters)) {
      pages++;
      objects.push(...(page.body.objects ?? []));
      last = page.headers.get('x-taxii-date-added-last') ?? last;
    }
    return { objects, pages, ...(last ? { last } : {}) };
  }

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    reg = await startInProcess(fed, 'reg', { http_listen: '127.0.0.1:0' });
    membership = await Membership.load(fed.manifest);
    for (const id of ['p1', 'p2']) ids[id] = { id, key: (await readNodeKey(join(fed.dirs[id]!, 'key.jwk'))).privateKey };
    await file('p1', 5, 0x100);
    await file('p2', 5, 0x200);
    await file('p1', 4, 0x300);
    const added = await cli(['taxii', 'add-user', '--node', fed.dirs.reg!, '--name', 'analyst-1']);
    expect(added.code).toBe(0);
    const token = added.out.split('\n')[1]!.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    conn = new TaxiiConnection('analyst-1', token);
    base = `http://${reg.httpAddress}`;
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('answers the standard client walk: discovery → API root → collections → objects, paged with limit/next/more', async () => {
    const server = await discover(conn, `${base}/taxii2/`);
    expect(server.title).toMatch(/test-consortium/);
    const root = await apiRoot(conn, server.default!);
    expect(root.versions).toContain(TAXII_21);
    const cols = await collections(conn, root);
    expect(cols.map((c) => c.id)).toEqual([FEDERATION_COLLECTION_ID]);
    collection = cols[0]!;
    expect(collection.can_write).toBe(false);

    const { objects, pages } = await walk();
    // 3 identities (consortium, p1, p2) + 3 reports + 14 indicators
    expect(objects).toHaveLength(20);
    expect(pages).toBe(5);
    expect(new Set(objects.map((o) => o.id)).size).toBe(20);
    const byType = (t: string) => objects.filter((o) => o.type === t);
    expect(byType('report')).toHaveLength(3);
    expect(byType('indicator')).toHaveLength(14);
    stixSchemas().expectValidBundle({ type: 'bundle', id: 'bundle--6f9f6e38-5f3e-4e4b-9c7b-6c2a1f3c2f10', objects } as never);
    const ids = new Set(objects.map((o) => o.id));
    for (const r of byType('report')) for (const ref of r.object_refs as string[]) expect(ids.has(ref)).toBe(true);
  });

  it('serves what was added since with added_after, once the regulator holds more', async () => {
    const before = await walk();
    await file('p2', 3, 0x400);
    const since = await eventually(async () => {
      const w = await walk({ added_after: before.last! });
      return w.objects.length > 0 ? w : undefined;
    }, 10_000, 'the new report over TAXII');
    expect(since.objects.map((o) => o.type).sort()).toEqual(['indicator', 'indicator', 'indicator', 'report']);
    expect((await walk()).objects).toHaveLength(before.objects.length + 4);
  });

  it('refuses every write method and unauthenticated reads, changing nothing', async () => {
    const before = await walk();
    const reports = Number((await reg.db.sql`SELECT count(*)::int AS n FROM filed_reports`)[0]!.n);
    const auth = `Basic ${Buffer.from(`analyst-1:${(conn as unknown as { password: string }).password}`).toString('base64')}`;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const path of [`${collection.url}objects/`, `${collection.url}objects/${before.objects[0]!.id as string}/`, collection.url]) {
        const res = await fetch(path, { method, headers: { Accept: TAXII_21, 'Content-Type': TAXII_21, Authorization: auth }, ...(method === 'DELETE' ? {} : { body: JSON.stringify({ objects: [before.objects[0]] }) }) });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('content-type')).toBe(TAXII_21);
      }
    }
    expect((await walk()).objects).toEqual(before.objects);
    expect(Number((await reg.db.sql`SELECT count(*)::int AS n FROM filed_reports`)[0]!.n)).toBe(reports);
    const anonymous = await fetch(`${base}/taxii2/`, { headers: { Accept: TAXII_21 } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Basic/);
  });
});
