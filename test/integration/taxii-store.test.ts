import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../src/federation/node/http-server.js';
import { silentLogger } from '../../src/log.js';
import { stixObjects } from '../../src/regulator/export/stix/bundle.js';
import { TaxiiCatalog } from '../../src/regulator/taxii/catalog.js';
import { FEDERATION_COLLECTION_ID } from '../../src/regulator/taxii/constants.js';
import { taxiiRoute } from '../../src/regulator/taxii/router.js';
import { TaxiiUsers } from '../../src/regulator/taxii/users.js';
import type { RegulatorDataSource, RegulatorSnapshot } from '../../src/regulator/views/regulator-data.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase } from '../support/postgres.js';
import { sampleSnapshot, tok } from '../unit/regulator/fixtures.js';
import { stixSchemas } from '../unit/regulator/stix-schemas.js';
import { apiRoot, asPages, collections, discover, TaxiiConnection, TaxiiClientError, TAXII_21, type Envelope } from './taxii-client.js';

/**
 * The TAXII server over a real PostgreSQL store and a real HTTP listener, fed
 * CampaignView/ReportView fixtures directly (campaigns come from matching in a
 * running node; here the source is a plain object). taxii.test.ts walks a real
 * regulator node.
 */
describe('TAXII 2.1 server (object store, paging, versions, errors)', () => {
  let sql: Sql;
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  let base: string;
  let token: string;
  let snapshot: RegulatorSnapshot = sampleSnapshot();
  const source: RegulatorDataSource = { campaigns: async () => snapshot.campaigns, reports: async () => snapshot.reports, snapshot: async () => snapshot };
  let users: TaxiiUsers;
  let conn: TaxiiConnection;
  const collectionUrl = () => `${base}/taxii2/cordon/collections/${FEDERATION_COLLECTION_ID}/`;

  beforeAll(async () => {
    sql = postgres(await createTestDatabase('taxii'), { max: 4, onnotice: () => undefined, types: { bigint: postgres.BigInt } });
    await migrate(sql);
    users = new TaxiiUsers(sql);
    token = await users.add('analyst');
    // minIntervalMs 0: every request sees the source as it is now.
    const catalog = new TaxiiCatalog(sql, source, silentLogger, 0);
    http = await startHttpServer('127.0.0.1:0', [taxiiRoute({ catalog, users, log: silentLogger, consortium: () => snapshot.directory.consortium })], silentLogger);
    base = `http://${http.address}`;
    conn = new TaxiiConnection('analyst', token);
  });
  afterAll(async () => {
    await http?.close();
    await sql?.end({ timeout: 5 });
  });

  async function all(filters: Record<string, string> = {}, perRequest = 5): Promise<{ objects: Record<string, unknown>[]; pages: number; firsts: string[]; lasts: string[] }> {
    const [col] = await collections(conn, await apiRoot(conn, `${base}/taxii2/cordon/`));
    const objects: Record<string, unknown>[] = [];
    let pages = 0;
    const firsts: string[] = [];
    const lasts: string[] = [];
    for await (const page of asPages(conn, col!, 'objects', perRequest, filters)) {
      pages++;
      objects.push(...(page.body.objects ?? []));
      if (page.body.objects?.length) {
        firsts.push(page.headers.get('x-taxii-date-added-first')!);
        lasts.push(page.headers.get('x-taxii-date-added-last')!);
      }
    }
    return { objects, pages, firsts, lasts };
  }

  it('serves discovery → API root → collections → every exported object, page by page', async () => {
    const server = await discover(conn, `${base}/taxii2/`);
    expect(server.apiRoots).toEqual([`${base}/taxii2/cordon/`]);
    const root = await apiRoot(conn, server.default!);
    expect(root.versions).toEqual([TAXII_21]);
    const [col] = await collections(conn, root);
    expect(col).toMatchObject({ id: FEDERATION_COLLECTION_ID, can_read: true, can_write: false, media_types: ['application/stix+json;version=2.1'] });

    const expected = stixObjects(snapshot);
    const { objects, pages, firsts, lasts } = await all();
    expect(pages).toBe(Math.ceil(expected.length / 5));
    expect(objects.map((o) => o.id).sort()).toEqual(expected.map((o) => o.id).sort());
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length); // no object twice across pages
    const schemas = stixSchemas();
    schemas.expectValidBundle({ type: 'bundle', id: 'bundle--6f9f6e38-5f3e-4e4b-9c7b-6c2a1f3c2f10', objects: objects as { type: string }[] } as never);
    for (let i = 0; i < firsts.length; i++) expect(firsts[i]! <= lasts[i]!).toBe(true);
    expect(lasts[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('adds a new version when a view changes, and added_after returns only what was added since', async () => {
    const before = await all();
    const mark = before.lasts[before.lasts.length - 1]!;
    const old = stixObjects(snapshot);
    snapshot = sampleSnapshot();
    snapshot.campaigns[0]!.updated_at = '2026-06-01T00:00:00Z';
    snapshot.campaigns[0]!.indicators.push({ kind: 'device', token_hex: tok(0x77), epoch: 3 });
    const grown = stixObjects(snapshot);
    const oldVersions = new Set(old.map((o) => `${o.id}@${o.modified}`));
    const added = grown.filter((o) => !oldVersions.has(`${o.id}@${o.modified}`));
    expect(added.length).toBeGreaterThan(2);

    const since = await all({ added_after: mark }, 3);
    expect(since.objects.map((o) => `${o.id}@${o.modified}`).sort()).toEqual(added.map((o) => `${o.id}@${o.modified}`).sort());
    expect(since.firsts.every((f) => f > mark)).toBe(true);
    // Without added_after: still one (latest) version per object.
    const latest = await all();
    expect(latest.objects).toHaveLength(grown.length);
    const campaign = grown.find((o) => o.x_cordon_campaign_id === 'cmp-0001')!;
    expect(latest.objects.find((o) => o.id === campaign.id)!.modified).toBe('2026-06-01T00:00:00.000Z');

    // Versions, the object endpoint and match[version].
    const objectUrl = `${collectionUrl()}objects/${campaign.id}/`;
    const versions = await conn.get<{ versions: string[]; more: boolean }>(`${objectUrl}versions/`);
    expect(versions.body).toEqual({ more: false, versions: ['2026-03-10T00:00:00.000Z', '2026-06-01T00:00:00.000Z'] });
    const first = await conn.get<Envelope>(objectUrl, { 'match[version]': 'first' });
    expect(first.body.objects!.map((o) => o.modified)).toEqual(['2026-03-10T00:00:00.000Z']);
    const both = await conn.get<Envelope>(objectUrl, { 'match[version]': 'all' });
    expect(both.body.objects).toHaveLength(2);
    const exact = await conn.get<Envelope>(objectUrl, { 'match[version]': '2026-06-01T00:00:00Z' });
    expect(exact.body.objects!.map((o) => o.modified)).toEqual(['2026-06-01T00:00:00.000Z']);
  });

  it('serves the manifest and filters by type and id', async () => {
    const [col] = await collections(conn, await apiRoot(conn, `${base}/taxii2/cordon/`));
    const records: Record<string, unknown>[] = [];
    for await (const page of asPages(conn, col!, 'manifest', 7, { 'match[type]': 'indicator' })) records.push(...(page.body.objects ?? []));
    const indicators = stixObjects(snapshot).filter((o) => o.type === 'indicator');
    expect(records).toHaveLength(indicators.length);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(['date_added', 'id', 'media_type', 'version']);
      expect(r.media_type).toBe('application/stix+json;version=2.1');
      expect(r.id).toMatch(/^indicator--/);
    }
    const one = indicators[0]!;
    const byId = await conn.get<Envelope>(`${collectionUrl()}objects/`, { 'match[id]': one.id });
    expect(byId.body.objects!.map((o) => o.id)).toEqual([one.id]);
    const none = await conn.get<Envelope>(`${collectionUrl()}objects/`, { 'match[spec_version]': '2.0' });
    expect(none.body).toEqual({ more: false });
    expect(none.headers.get('x-taxii-date-added-first')).toBeNull();
  });

  async function raw(path: string, init: RequestInit & { auth?: string | null } = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | undefined }> {
    const headers: Record<string, string> = { Accept: TAXII_21, ...(init.headers as Record<string, string> | undefined) };
    if (init.auth !== null) headers.Authorization = init.auth ?? `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, { ...init, headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  it('answers errors with TAXII error messages and the right status', async () => {
    const col = `/taxii2/cordon/collections/${FEDERATION_COLLECTION_ID}`;
    const cases: [string, Awaited<ReturnType<typeof raw>>, number, RegExp][] = [
      ['no credentials', await raw('/taxii2/', { auth: null }), 401, /needs credentials/],
      ['a wrong token', await raw('/taxii2/', { auth: 'Bearer nope' }), 401, /needs credentials/],
      ['basic auth with another user name', await raw('/taxii2/', { auth: `Basic ${Buffer.from(`mallory:${token}`).toString('base64')}` }), 401, /needs credentials/],
      ['an unknown API root', await raw('/taxii2/other/'), 404, /no API root 'other'/],
      ['an unknown collection', await raw('/taxii2/cordon/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/'), 404, /no collection/],
      ['an unknown object', await raw(`${col}/objects/indicator--00000000-0000-4000-8000-000000000000/`), 404, /no object 'indicator--0000/],
      ['a status resource', await raw('/taxii2/cordon/status/2d086da7-4bdc-4f91-900e-d77486753710/'), 404, /no status resources/],
      ['a JSON Accept', await raw('/taxii2/', { headers: { Accept: 'application/json' } }), 406, /does not include application\/taxii\+json;version=2.1/],
      ['a TAXII 2.0 Accept', await raw(`${col}/objects/`, { headers: { Accept: 'application/vnd.oasis.taxii+json; version=2.0' } }), 406, /Not Acceptable|does not include/],
      ['an unknown parameter', await raw(`${col}/objects/?match[colour]=red`), 400, /unknown query parameter 'match\[colour\]'/],
      ['a bad added_after', await raw(`${col}/objects/?added_after=yesterday`), 400, /added_after: 'yesterday' is not an RFC 3339 timestamp/],
      ['a bad limit', await raw(`${col}/manifest/?limit=0`), 400, /limit: '0' is not a positive integer/],
      ['a forged next', await raw(`${col}/objects/?next=Zm9v`), 400, /not a page token this server issued/],
    ];
    for (const [name, r, status, description] of cases) {
      expect(r.status, name).toBe(status);
      expect(r.headers.get('content-type'), name).toBe(TAXII_21);
      expect(r.body, name).toMatchObject({ http_status: String(status), title: expect.any(String) });
      expect(r.body!.description, name).toMatch(description);
    }
    expect((await raw('/taxii2/', { auth: null })).headers.get('www-authenticate')).toMatch(/^Basic realm="cordon-taxii"/);
  });

  it('cannot be written through: POST, PUT, PATCH and DELETE are refused and change nothing', async () => {
    const before = await all();
    const col = `/taxii2/cordon/collections/${FEDERATION_COLLECTION_ID}`;
    const obj = `${col}/objects/${before.objects[0]!.id as string}/`;
    const envelope = JSON.stringify({ objects: [{ type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }] });
    for (const [method, path] of [['POST', `${col}/objects/`], ['PUT', `${col}/objects/`], ['PATCH', obj], ['DELETE', obj], ['DELETE', `${col}/`], ['POST', '/taxii2/cordon/collections/']] as const) {
      const r = await raw(path, { method, body: method === 'DELETE' ? null : envelope, headers: { 'Content-Type': TAXII_21 } });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD');
      expect(r.body!.description).toMatch(/read-only \(the regulator cannot write anything into the federation\)/);
    }
    const after = await all();
    expect(after.objects).toEqual(before.objects);
    // HEAD is a read: headers, no body.
    const head = await fetch(`${base}${col}/objects/?limit=2`, { method: 'HEAD', headers: { Accept: TAXII_21, Authorization: `Bearer ${token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-taxii-date-added-first')).toMatch(/Z$/);
    expect(await head.text()).toBe('');
  });

  it('stops accepting a revoked token at once', async () => {
    const t = await users.add('temp');
    const c = new TaxiiConnection('temp', t);
    await expect(discover(c, `${base}/taxii2/`)).resolves.toMatchObject({ title: expect.any(String) });
    await users.revoke('temp');
    await expect(discover(c, `${base}/taxii2/`)).rejects.toMatchObject({ status: 401 } satisfies Partial<TaxiiClientError>);
  });
});
