import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { DemoSummary } from '../../src/demo/run-demo.js';
import { commands } from '../../src/cli/commands/index.js';

const NODE_IDS = ['consortium-1', 'consortium-2', 'provider-a', 'provider-b', 'provider-c', 'regulator'];
const CONSOLE_LOGIN = /^\s+(\S+)\s+(http:\/\/127\.0\.0\.1:\d+\/console\/\?token=[\w-]{43})$/;

/**
 * The README's main command, `npm run demo -- --exit`, through the real CLI:
 * the whole story runs and its summary shows what it claims — the planted
 * campaign found across providers, alerts at each, the case answered, the
 * report received, the log verified — with the figures it measured.
 *
 * One run (it is the slow part): `--keep` instead of `--dir`, so the same run
 * shows the kept directory and the commands to explore it; each console
 * login is opened while the run is still going (the nodes stop at --exit).
 */
describe('npm run demo -- --exit', () => {
  it('finds the planted campaign across providers, answers the case, files a report the regulator receives, and the witness verifies the logs', async () => {
    const out: string[] = [];
    const dir = `${process.env.TMPDIR ?? '/tmp'}/cordon-demo-test-${process.pid}`;
    // Opened as soon as the login is printed: the nodes are up from then until the summary.
    const logins: Promise<{ id: string; status: number; location: string | null }>[] = [];
    const say = (l: string) => {
      out.push(l);
      const m = CONSOLE_LOGIN.exec(l);
      if (m && !out.some((x) => x.startsWith('Summary:') || x === '\nSummary:')) {
        logins.push(fetch(m[2]!, { redirect: 'manual' }).then((r) => ({ id: m[1]!, status: r.status, location: r.headers.get('location') })));
      }
    };
    try {
      const code = await main(['demo', '--exit', '--json', '--records', '3000', '--keep', dir], { out: say, err: (l) => out.push(l), interactive: false });
      const text = out.join('\n');
      expect(code, text).toBe(0);
      const summary = JSON.parse(out.find((l) => l.startsWith('{')) ?? 'null') as DemoSummary;

      const p = summary.planted_campaign;
      expect(p.providers).toEqual(['provider-a', 'provider-b', 'provider-c']);
      expect(p.found_at_providers).toEqual(['provider-a', 'provider-b', 'provider-c']);
      expect(p.found_as).toMatch(/^cp-[0-9a-f]{32}$/);
      expect(p.planted_accounts_found).toBe(p.accounts);
      for (const id of summary.providers) expect(summary.alerts_received[id]).toBeGreaterThan(0);

      expect(summary.case.asked).toEqual(['provider-b', 'provider-c']);
      expect(summary.case.answered_by).toEqual(['provider-b', 'provider-c']);
      expect(summary.case.answers_verified).toBe(2);
      expect(summary.case.status).toBe('answered');

      expect(summary.report.received).toBe(true);
      expect(summary.report.held_by_regulator).toBe(1);
      expect(summary.report.logged_by).toEqual(['consortium-1', 'consortium-2']);
      expect(summary.log_verified.verified, JSON.stringify(summary.log_verified)).toBe(true);
      expect(summary.log_verified.findings).toBe(0);
      expect(Object.keys(summary.log_verified.logs).sort()).toEqual(['consortium-1', 'consortium-2']);

      expect(summary.tampered_batch).toMatch(/does not verify/);
      expect(summary.regulator_write).toMatch(/regulator writes nothing/);
      expect(summary.regulator_console_write).toBe(403);
      expect(summary.publish_records_per_s).toBeGreaterThan(0);
      expect(summary.alert_latency_ms).toBeGreaterThanOrEqual(0);
      expect(Object.keys(summary.consoles).sort()).toEqual(['consortium-1', 'consortium-2', 'provider-a', 'provider-b', 'provider-c', 'regulator']);

      // The narration and the headline lines say so in words, with figures.
      expect(text).toMatch(/planted campaign c\d+-shared-infra \(shared-infra\) found as cp-[0-9a-f]{32} across provider-a, provider-b, provider-c/);
      expect(text).toMatch(/records\/s; alert latency \d+ ms/);
      expect(text).toMatch(/case cs-[0-9a-f]+: asked provider-b, provider-c, answered by provider-b, provider-c \(2 signed answers verified\); answered/);
      expect(text).toMatch(/log verified by the witness: yes/);

      // The opening lines tell how to keep the federation's directories.
      expect(out.slice(0, 3).join('\n')).toMatch(/--keep DIR|stay there after exit/);
      // Console logins (URL with token) come with the nodes, before the story's first step, and log in.
      const firstStep = out.findIndex((l) => l.startsWith('\n[3]'));
      const loginLines = out.slice(0, firstStep).flatMap((l) => {
        const m = CONSOLE_LOGIN.exec(l);
        return m ? [m[1]!] : [];
      });
      expect(loginLines, text).toEqual(NODE_IDS);
      const opened = await Promise.all(logins);
      expect(opened.map((o) => o.id)).toEqual(NODE_IDS);
      for (const o of opened) {
        expect(o.status === 200 || (o.status >= 300 && o.status < 400 && /\/console\//.test(o.location ?? '')), JSON.stringify(o)).toBe(true);
      }
      // Nodes are listed in a stable (sorted) order, whichever started first.
      const grpcLines = out.flatMap((l) => /^\s+(\S+)\s+\S+\s+grpc /.exec(l)?.slice(1, 2) ?? []);
      expect(grpcLines).toEqual(NODE_IDS);
      // Template signatures leave with the suspects: some provider publishes at least one.
      expect(Math.max(...Object.values(summary.template_signatures)), JSON.stringify(summary.template_signatures)).toBeGreaterThan(0);
      expect(text).toMatch(/provider-\w: \d+ records \(\d+ tokens from \d+ suspects, [1-9]\d* template signatures? from/);
      // The score is explained: its terms, which add up to it.
      const explained = /score (0\.\d\d|1\.00) of 1, [^=]+= (.+)$/m.exec(text);
      expect(explained, text).not.toBeNull();
      const terms = [...explained![2]!.matchAll(/(\d\.\d\d) for /g)].map((m) => Number(m[1]));
      expect(terms).toHaveLength(5);
      expect(Math.abs(terms.reduce((a, b) => a + b, 0) - p.score)).toBeLessThan(0.03);
      expect(explained![2]).toMatch(new RegExp(`for 3 providers .* for ${p.accounts} accounts .* kinds of shared identifier`));
      // Different leaves at the two logs are explained; the regulator's refusal is one sentence.
      expect(text).toMatch(/consortium-1: logged the filing at leaf \d+ \(after \d+ batch.*each node keeps its own log\)/);
      expect(summary.regulator_write).toBe('refused by consortium-1 (permission denied): the regulator writes nothing into the federation.');
      // The figures are put in context beside the benchmarks.
      expect(text).toMatch(/6 nodes and their 6 databases share this machine's \d+ cores; one node's throughput is measured alone by `npm run bench -- match`/);
      // --keep: the directory outlives the run, and the commands to explore it are real commands on its nodes.
      expect(existsSync(`${dir}/provider-a/manifest.json`)).toBe(true);
      const explore = out.filter((l) => l.startsWith('  npm run cordon -- '));
      expect(explore.length, text).toBeGreaterThanOrEqual(4);
      for (const l of explore) {
        const words = l.replace(/#.*$/, '').trim().split(/\s+/).slice(4);
        expect(commands.some((c) => words.join(' ').startsWith(`${c.name} `)), l).toBe(true);
        expect(l).toContain(`--node ${dir}/`);
      }
      expect(explore.map((l) => l.trim().split(/\s+/)[4])).toEqual(expect.arrayContaining(['campaigns', 'alerts', 'status']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
