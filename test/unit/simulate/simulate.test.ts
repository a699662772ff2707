import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailKey } from '../../../src/detect/accounts/identity.js';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';
import { simulate } from '../../../src/simulate/simulate.js';
import { TruthLine, type AccountLine, type CampaignLine } from '../../../src/simulate/truth.js';
import { CAMPAIGN_KINDS } from '../../../src/simulate/world/campaigns.js';

const base = { providers: 3, accounts: 900, lines: 9_000, stealth: 0.5, campaigns: CAMPAIGN_KINDS, days: 14 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-sim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, overrides: Partial<Parameters<typeof simulate>[0]> = {}) {
  const out = join(dir, name);
  const result = await simulate({ ...base, seed: 11, out, format: 'jsonl', ...overrides });
  return { out, result };
}

async function files(out: string): Promise<Record<string, string>> {
  const names = (await readdir(join(out, 'logs'))).sort();
  const entries = await Promise.all(names.map(async (n) => [n, await readFile(join(out, 'logs', n), 'utf8')] as const));
  return Object.fromEntries([...entries, ['truth', await readFile(join(out, 'ground-truth.jsonl'), 'utf8')]]);
}

describe('simulate', () => {
  it('writes the same bytes for the same seed, and different bytes for another', async () => {
    const a = await files((await run('a')).out);
    const b = await files((await run('b')).out);
    const c = await files((await run('c', { seed: 12 })).out);
    expect(Object.keys(a)).toEqual(['p1.jsonl', 'p2.jsonl', 'p3.jsonl', 'truth']);
    expect(b).toEqual(a);
    expect(c['p1.jsonl']).not.toEqual(a['p1.jsonl']);
  });

  it('writes time-ordered logs whose every account and campaign is in the ground truth', async () => {
    const { out, result } = await run('truth');
    const truth = (await readFile(join(out, 'ground-truth.jsonl'), 'utf8')).trim().split('\n').map((l) => TruthLine.parse(JSON.parse(l)));
    expect(truth[0]?.kind).toBe('scenario');
    const accounts = new Map(truth.filter((t): t is AccountLine => t.kind === 'account').map((t) => [t.account, t]));
    const campaigns = truth.filter((t): t is CampaignLine => t.kind === 'campaign');
    expect(accounts.size).toBe(result.accounts);
    expect(campaigns.map((c) => c.type).sort()).toEqual([...CAMPAIGN_KINDS].sort());
    for (const c of campaigns) for (const id of c.accounts) expect(accounts.get(id)?.label).toBe(c.id);

    let lines = 0;
    for (const log of result.logs) {
      let last = '';
      for (const line of (await readFile(log.path, 'utf8')).trim().split('\n')) {
        const rec = JSON.parse(line);
        expect(accounts.get(rec.account)?.provider).toBe(log.provider);
        expect(rec.ts >= last).toBe(true);
        last = rec.ts;
        lines++;
      }
    }
    expect(lines).toBe(result.lines);
    // Roughly the requested size (schedules end with the period, so a little under).
    expect(lines).toBeGreaterThan(base.lines * 0.9);
    expect(lines).toBeLessThanOrEqual(base.lines * 1.02);
  });

  it('uses identifiers the fingerprint module accepts, in reserved or fictional ranges', async () => {
    const { result } = await run('ids', { providers: 2 });
    const problems = new Map<string, string>();
    let checked = 0;
    for (const log of result.logs) {
      const recs = (await readFile(log.path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      for (const rec of recs.slice(0, 3000)) {
        for (const kind of ['email', 'phone', 'ip', 'asn', 'payment', 'device', 'api_key'] as const) {
          const value = rec[kind] as string;
          if (!value) continue;
          checked++;
          const r = normalizeIdentifier(kind, value);
          if (!r.ok) problems.set(`${kind}:${value}`, r.reason);
        }
        expect(rec.ip).toMatch(/^(2001:db8:|198\.51\.100\.|203\.0\.113\.)/);
      }
    }
    expect(checked).toBeGreaterThan(5_000);
    expect([...problems]).toEqual([]);
  });

  it('gives campaigns shared infrastructure across providers, and Gmail alias families', async () => {
    const { out } = await run('shared', { stealth: 0.2 });
    const truth = (await readFile(join(out, 'ground-truth.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const label = new Map(truth.filter((t) => t.kind === 'account').map((t) => [t.account, t.label as string]));
    const cardProviders = new Map<string, Set<string>>();
    const mailboxes = new Map<number, Set<string>>();
    for (const f of ['p1.jsonl', 'p2.jsonl', 'p3.jsonl']) {
      for (const line of (await readFile(join(out, 'logs', f), 'utf8')).trim().split('\n')) {
        const rec = JSON.parse(line);
        if (!label.get(rec.account)?.includes('low-and-slow')) continue;
        if (rec.payment) (cardProviders.get(rec.payment) ?? cardProviders.set(rec.payment, new Set()).get(rec.payment)!).add(rec.provider);
        (mailboxes.get(emailKey(rec.email)) ?? mailboxes.set(emailKey(rec.email), new Set()).get(emailKey(rec.email))!).add(rec.email);
      }
    }
    expect([...cardProviders.values()].some((p) => p.size >= 2)).toBe(true);
    // Several distinct addresses that are one Gmail mailbox once dots and +tags are ignored.
    expect([...mailboxes.values()].some((emails) => emails.size >= 3)).toBe(true);
  });

  it('writes CSV with the same records as JSON lines', async () => {
    const j = await run('fmt-j', { providers: 1, accounts: 300, lines: 2000 });
    const c = await run('fmt-c', { providers: 1, accounts: 300, lines: 2000, format: 'csv' });
    expect(c.result.lines).toBe(j.result.lines);
    const csv = await readFile(c.result.logs[0]!.path, 'utf8');
    expect(csv.split('\n')[0]).toBe('ts,provider,account,created,api_key,email,phone,ip,asn,payment,device,model,prompt,in_tokens,out_tokens');
  });
});
