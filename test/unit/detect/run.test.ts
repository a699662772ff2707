import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetection } from '../../../src/detect/run.js';
import { SuspectSchema } from '../../../src/fingerprint/suspect.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2025, 2, 3);
/** 40 accounts on 4 cards behind rotating proxies asking for reasoning traces, and a quiet benign user. */
function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const a = i % 40;
    out.push(JSON.stringify({ ts: new Date(T0 + i * 20_000).toISOString(), provider: 'p1', account: `bot-${a}`, created: new Date(T0 - 86_400_000).toISOString(), api_key: `sk-${a}`, email: `op.erator+${a}@gmail.com`, ip: `2001:db8:${(i * 7919) % 9000}::${a + 1}`, asn: `AS${65536 + (i % 16)}`, payment: `pm_card_${a % 4}`, device: `dfp_${a % 5}`, model: 'm1', prompt: `Solve: ${i} + ${a}. Think step by step and show all of your reasoning before the final answer.`, in_tokens: 40, out_tokens: 1500 }));
  }
  for (let i = 0; i < 5; i++) out.push(JSON.stringify({ ts: new Date(T0 + i * 3_600_000).toISOString(), account: 'person', prompt: 'ideas for a birthday gift', in_tokens: 10, out_tokens: 200 }));
  return out;
}

describe('runDetection', () => {
  it('reports malformed lines with file and line number, skips them, and still detects', async () => {
    const path = join(dir, 'mixed.jsonl');
    const good = lines();
    const all = [...good.slice(0, 10), '{"ts": "2025-03-03T00:00:00Z", "account": "x"', ...good.slice(10, 20), JSON.stringify({ ts: 'not a time', account: 'y' }), JSON.stringify({ ts: '2025-03-03T00:00:00Z' }), ...good.slice(20)];
    await writeFile(path, all.join('\n') + '\n');
    const reported: [string, number, string][] = [];
    const out = join(dir, 'suspects.jsonl');
    const r = await runDetection({ files: [path], out, onMalformed: (file, line, reason) => reported.push([file, line, reason]) });
    expect(reported).toEqual([
      [path, 11, expect.stringMatching(/^invalid JSON/)],
      [path, 22, expect.stringMatching(/^invalid time in 'ts'/)],
      [path, 23, "missing 'account'"],
    ]);
    expect(r.malformed).toBe(3);
    expect(r.records).toBe(good.length);
    expect(r.lines).toBe(all.length);
    const suspects = (await readFile(out, 'utf8')).trim().split('\n').map((l) => SuspectSchema.parse(JSON.parse(l)));
    expect(suspects.map((s) => s.id)).not.toContain('person');
    expect(suspects.length).toBe(40);
    expect(new Set(suspects.map((s) => s.cluster)).size).toBe(1);
    const one = suspects[0]!;
    expect(one.identifiers.payment?.[0]).toMatch(/^pm_card_/);
    expect(one.prompts[0]).toMatch(/^Solve: /);
    expect(one.labels).toEqual(expect.arrayContaining(['cot_elicitation', 'output_heavy', 'shared_payment']));
  });
});
