import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { DemoSummary } from '../../src/demo/run-demo.js';

/**
 * The README's main command, `npm run demo -- --exit`, through the real CLI:
 * the whole story runs and its summary shows what it claims — the planted
 * campaign found across providers, alerts at each, the case answered, the
 * report received, the log verified — with the figures it measured.
 */
describe('npm run demo -- --exit', () => {
  it('finds the planted campaign across providers, answers the case, files a report the regulator receives, and the witness verifies the logs', async () => {
    const out: string[] = [];
    const dir = `${process.env.TMPDIR ?? '/tmp'}/cordon-demo-test-${process.pid}`;
    try {
      const code = await main(['demo', '--exit', '--json', '--records', '3000', '--dir', dir], { out: (l) => out.push(l), err: (l) => out.push(l), interactive: false });
      const text = out.join('\n');
      expect(code, text).toBe(0);
      const summary = JSON.parse(text.slice(text.indexOf('\n{') + 1)) as DemoSummary;

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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
