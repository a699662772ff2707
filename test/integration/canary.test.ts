import { createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createFederation, eventually, startChild, type Federation } from '../support/federation.js';
import { startCaptureProxy, type CaptureProxy } from '../support/capture-proxy.js';
import { freePort } from '../support/ports.js';

/**
 * Issue 3's canary proof. Unique raw values (emails, phones, IPs, payment and
 * device ids, domains, API keys, prompt text) are planted at two providers,
 * published with `cordon publish --raw` through two consortium nodes to the
 * regulator. Then every table of the consortium and regulator databases,
 * every log line, every node's /metrics, and every byte that crossed the gRPC
 * connections (through capturing proxies) is searched: none may contain a raw value, its
 * normalized form, nor their unkeyed SHA-256 or MD5 (hex or raw bytes).
 */
const tag = randomBytes(4).toString('hex');
const planted = {
  emails: [`Canary.Alice.${tag}@GMail.com`, `canary.bob+${tag}@example.org`],
  phones: [`+33 6 ${tag.slice(0, 2).replace(/\D/g, '1').padEnd(2, '1')} ${(10 + (parseInt(tag, 16) % 89)).toString()} 91 07`],
  ips: ['203.0.113.77', '2001:db8:7ac3::42'],
  payments: [`pm_canary_${tag}`],
  devices: [`dev-canary-${tag}`],
  domains: [`canary-${tag}.example.co.uk`],
  apiKeys: [`sk-canary-${tag}-secretkeymaterial`],
  promptWords: [`zanzibarcanary${tag}`],
};
// Forms that also must not appear: what normalization makes of them.
const normalized = [`canaryalice${tag}@gmail.com`, `canary.bob@example.org`, `canary-${tag}.example.co.uk`, '203.0.113.0/24'];

function needles(): { label: string; bytes: Buffer }[] {
  const out: { label: string; bytes: Buffer }[] = [];
  const values = [...Object.values(planted).flat(), ...normalized];
  for (const v of values) {
    const raw = Buffer.from(v);
    out.push({ label: `raw ${v}`, bytes: raw });
    for (const algo of ['sha256', 'md5'] as const) {
      const digest = createHash(algo).update(v).digest();
      out.push({ label: `${algo}(${v}) bytes`, bytes: digest });
      out.push({ label: `${algo}(${v}) hex`, bytes: Buffer.from(digest.toString('hex')) });
      out.push({ label: `${algo}(${v}) base64url`, bytes: Buffer.from(digest.toString('base64url')) });
    }
  }
  return out;
}

function suspects(provider: 'a' | 'b'): string {
  const lines: string[] = [];
  // Provider B holds the same people in other surface forms.
  const email0 = provider === 'a' ? planted.emails[0]! : `canaryalice${tag}+promo@googlemail.com`;
  const phone = provider === 'a' ? planted.phones[0]! : planted.phones[0]!.replace(/^\+33 /, '+33 (0)').replace(/ (\d\d) /g, '-$1-');
  for (let i = 0; i < 4; i++) {
    lines.push(JSON.stringify({
      id: `acct-${provider}-${i}`,
      identifiers: {
        email: i === 0 ? [email0, planted.emails[1]] : [`other${i}.${tag}@example.net`],
        phone: i === 0 ? [phone] : [],
        ip: [planted.ips[i % 2]],
        payment: planted.payments,
        device: planted.devices,
        org_domain: [`https://www.${planted.domains[0]}/login`],
        api_key: i === 0 ? planted.apiKeys : [],
        asn: ['AS64500'],
      },
      prompts: Array.from({ length: 4 }, (_, j) => `Explain step by step, thinking out loud, how ${planted.promptWords[0]} solves problem number ${i * 10 + j} about ${['graphs', 'sorting', 'primes', 'matrices'][j]}`),
      labels: ['cot_elicitation', 'template_reuse'],
      score: 0.93,
      first_seen: '2026-11-01T00:00:00Z',
      last_seen: '2026-11-20T00:00:00Z',
      expires: '2027-02-01T00:00:00Z',
    }));
  }
  // One malformed value: reported with its row, counted, never published.
  lines.push(JSON.stringify({ id: `acct-${provider}-bad`, identifiers: { email: ['not-an-email'], device: [`dev-ok-${tag}-${provider}`] }, score: 0.5, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2027-01-01T00:00:00Z' }));
  return lines.join('\n') + '\n';
}

async function runCli(args: string[], logs: string[]): Promise<number> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORDON_LOG_LEVEL: 'debug' } });
  child.stdout.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => logs.push(d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

async function dumpDatabase(url: string): Promise<Buffer> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const tables = await sql<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
    const parts: Buffer[] = [];
    for (const { table_name } of tables) {
      // Text form of every column (bytea as hex), and the raw bytes of every bytea column.
      const rows = await sql.unsafe(`SELECT t::text AS row FROM ${table_name} t`);
      for (const r of rows) parts.push(Buffer.from(String(r.row)));
      const byteaColumns = await sql<{ column_name: string }[]>`SELECT column_name FROM information_schema.columns WHERE table_name = ${table_name} AND data_type = 'bytea'`;
      for (const { column_name } of byteaColumns) {
        for (const r of await sql.unsafe(`SELECT ${column_name} AS b FROM ${table_name} WHERE ${column_name} IS NOT NULL`)) parts.push(Buffer.from(r.b as Uint8Array));
      }
    }
    return Buffer.concat(parts);
  } finally {
    await sql.end();
  }
}

describe('canary: raw identifiers and prompts never leave a provider', () => {
  let fed: Federation;
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const proxies: CaptureProxy[] = [];
  let publishOutput = '';
  const httpPorts: Record<string, number> = {};

  beforeAll(async () => {
    // Consortium nodes and the regulator are advertised at capturing proxies, so
    // every gRPC connection (provider → consortium, consortium ↔ consortium,
    // regulator → consortium) crosses one.
    const advertise: Record<string, number> = {};
    for (const id of ['c1', 'c2', 'reg']) advertise[id] = await freePort();
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'pa', role: 'provider' }, { id: 'pb', role: 'provider' }, { id: 'reg', role: 'regulator' },
    ], { advertise });
    for (const id of ['c1', 'c2', 'reg']) proxies.push(await startCaptureProxy(fed.ports[id]!, advertise[id]));
    for (const id of ['c1', 'c2', 'reg']) {
      // With an HTTP listener, so /metrics (labels: member ids, RPC names, codes) is searched too.
      httpPorts[id] = await freePort();
      const child = await startChild(fed, id, { CORDON_LOG_LEVEL: 'debug', CORDON_HTTP_LISTEN: `127.0.0.1:${httpPorts[id]}` });
      children.push(child);
    }
    for (const p of ['a', 'b'] as const) {
      const file = join(fed.root, `suspects-${p}.jsonl`);
      await writeFile(file, suspects(p));
      const out: string[] = [];
      const code = await runCli(['publish', '--raw', file, '--node', fed.dirs[`p${p}`]!], out);
      logs.push(...out);
      publishOutput += out.join('');
      expect(code, out.join('')).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
    for (const p of proxies) await p.close();
    for (const c of children) logs.push(...((c as ChildProcess & { logs: string[] }).logs ?? []));
  });

  it('reports the value that cannot be normalized, with its row, and publishes the rest', () => {
    expect(publishOutput).toMatch(/suspects-a.jsonl:5: identifiers.email\[0\]: /);
    expect(publishOutput).toMatch(/5 suspects: 5 account records .* 1 template signatures? from 16 prompts; 1 values rejected/);
  });

  it('gives both providers the same tokens for the same identifiers in other surface forms', async () => {
    const sql = postgres(fed.databases.c1!, { max: 1 });
    try {
      await eventually(async () => (await sql`SELECT count(DISTINCT provider_id)::int AS n FROM records`)[0]!.n === 2, 20_000, 'both providers at c1');
      const rows = await sql<{ provider_id: string; tokens: Uint8Array }[]>`SELECT provider_id, tokens FROM records WHERE kind = 1`;
      const tokenSets = new Map<string, Set<string>>();
      for (const r of rows) {
        const set = tokenSets.get(r.provider_id) ?? new Set<string>();
        for (let i = 0; i < r.tokens.length; i += 33) set.add(Buffer.from(r.tokens.subarray(i, i + 33)).toString('hex'));
        tokenSets.set(r.provider_id, set);
      }
      const shared = [...tokenSets.get('pa')!].filter((t) => tokenSets.get('pb')!.has(t));
      // email (alias forms), phone (two formats), ip, ip prefix, payment, device, org domain, asn …
      const kinds = new Set(shared.map((t) => t.slice(0, 2)));
      for (const kind of ['01', '02', '03', '04', '05', '06', '07', '08']) expect(kinds.has(kind), `token kind ${kind} shared`).toBe(true);
      const templates = await sql`SELECT provider_id FROM records WHERE kind = 2`;
      expect(templates.length).toBe(2);
    } finally {
      await sql.end();
    }
  });

  it('leaves no raw value, normalized value, SHA-256 or MD5 in any consortium or regulator table, log line, or gRPC byte', async () => {
    for (const id of ['c2', 'reg']) {
      const sql = postgres(fed.databases[id]!, { max: 1 });
      await eventually(async () => (await sql`SELECT count(DISTINCT provider_id)::int AS n FROM batches`)[0]!.n === 2, 20_000, `${id} replicated`);
      await sql.end();
    }
    const haystacks: { where: string; bytes: Buffer }[] = [];
    for (const id of ['c1', 'c2', 'reg']) haystacks.push({ where: `database of ${id}`, bytes: await dumpDatabase(fed.databases[id]!) });
    for (const c of children) haystacks.push({ where: 'node logs', bytes: Buffer.from((c as ChildProcess & { logs: string[] }).logs.join('')) });
    haystacks.push({ where: 'provider CLI output', bytes: Buffer.from(logs.join('')) });
    proxies.forEach((p, i) => haystacks.push({ where: `gRPC bytes via proxy ${i}`, bytes: p.bytes() }));
    for (const id of ['c1', 'c2', 'reg']) {
      const metrics = await (await fetch(`http://127.0.0.1:${httpPorts[id]}/metrics`)).text();
      expect(metrics).toMatch(/^cordon_records_accepted_total\{provider="pa"\} [1-9]/m);
      haystacks.push({ where: `/metrics of ${id}`, bytes: Buffer.from(metrics) });
    }
    // The search must be able to find something: the haystacks are real and non-trivial.
    expect(haystacks.find((h) => h.where === 'database of reg')!.bytes.length).toBeGreaterThan(10_000);
    // c1 and c2 are called by providers and by each other (the regulator only calls out).
    expect(proxies.slice(0, 2).every((p) => p.bytes().length > 1_000)).toBe(true);
    expect(Buffer.concat(haystacks.map((h) => h.bytes)).includes(Buffer.from('cot_elicitation'))).toBe(true);
    const leaks: string[] = [];
    for (const n of needles()) for (const h of haystacks) if (h.bytes.includes(n.bytes)) leaks.push(`${n.label} in ${h.where}`);
    expect(leaks).toEqual([]);
  }, 60_000);
});
