import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SuspectSchema } from '../../src/fingerprint/suspect.js';

/** The real `cordon` binary: simulate → detect → evaluate, and how it fails. */
const BIN = resolve('src/cli/bin.js');

function cordon(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout, err: stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-detect-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cordon simulate / detect / evaluate', () => {
  it('simulates, detects with malformed lines reported and skipped, and evaluates', async () => {
    const sim = join(dir, 'sim');
    // --quiet: stderr holds only errors, however long a loaded machine takes (progress is tested in cli-progress.test.ts).
    const s = await cordon(['simulate', '--providers', '2', '--seed', '31', '--accounts', '1500', '--lines', '12000', '--out', sim, '--quiet']);
    expect(s.err).toBe('');
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/p1\.jsonl: \d+ lines, \d+ accounts/);
    expect((await readdir(join(sim, 'logs'))).sort()).toEqual(['p1.jsonl', 'p2.jsonl']);

    // Break three lines of p2's log: invalid JSON, a bad time, a missing account.
    const p2 = join(sim, 'logs', 'p2.jsonl');
    const lines = (await readFile(p2, 'utf8')).split('\n');
    lines.splice(4, 0, '{"ts": "2025-03-03T00:00:00Z", "account":');
    lines.splice(9, 0, JSON.stringify({ ts: 'tomorrow', account: 'p2-u1' }));
    lines.splice(14, 0, JSON.stringify({ ts: '2025-03-03T00:00:00Z', prompt: 'x' }));
    await writeFile(p2, lines.join('\n'));

    const suspectsFile = join(dir, 'suspects.jsonl');
    const d = await cordon(['detect', join(sim, 'logs'), '--out', suspectsFile, '--quiet']);
    expect(d.code).toBe(0);
    expect(d.err.trim().split('\n')).toEqual([
      `${p2}:5: invalid JSON (Unexpected end of JSON input) (line skipped)`,
      `${p2}:10: invalid time in 'ts': "tomorrow" (line skipped)`,
      `${p2}:15: missing 'account' (line skipped)`,
    ]);
    expect(d.out).toMatch(/\(\d+ records, 3 malformed and skipped\)/);
    expect(d.out).toMatch(/suspects written to/);
    const suspects = (await readFile(suspectsFile, 'utf8')).trim().split('\n').map((l) => SuspectSchema.parse(JSON.parse(l)));
    expect(suspects.length).toBeGreaterThan(50);
    expect(suspects.every((x) => x.reasons && x.reasons.length > 0 && x.labels.length > 0)).toBe(true);

    const [e, table] = await Promise.all([cordon(['evaluate', '--truth', join(sim, 'ground-truth.jsonl'), suspectsFile, '--json']), cordon(['evaluate', '--truth', join(sim, 'ground-truth.jsonl'), suspectsFile])]);
    expect(e.code).toBe(0);
    const ev = JSON.parse(e.out);
    // A sanity check of the wiring; the acceptance targets are tested on larger scenarios (test/unit/detect/acceptance.test.ts).
    expect(ev.account.precision).toBeGreaterThanOrEqual(0.9);
    expect(ev.account.recall).toBeGreaterThanOrEqual(0.7);
    expect(ev.populations).toHaveLength(6);
    expect(table.out).toMatch(/^level\s+precision\s+recall\s+F1/);
    expect(table.out).toMatch(/academic-research\s+yes\s+\d+\s+\d+\s+\d+\.\d\d%/);
  }, 60_000);

  it('fails with one clear line and exit 2 on bad input', async () => {
    // One through the binary (exit status and stderr as a user sees them)...
    const noOut = await cordon(['detect', dir]);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toBe('cordon detect: --out is required (see cordon detect --help)\n');
    // ...and the rest through the same dispatcher in-process, which is what the binary runs.
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false });
      return { code, out, err };
    };
    const cases: [string[], RegExp][] = [
      [['simulate', '--providers', '1', '--seed', '1', '--out', join(dir, 'x'), '--stealth', '2'], /--stealth must be a number from 0 to 1, got '2'/],
      [['simulate', '--providers', '1', '--seed', '1', '--out', join(dir, 'x'), '--campaigns', 'bribery'], /unknown campaign kind 'bribery'/],
      [['simulate', '--seed', '1', '--out', join(dir, 'x')], /--providers is required/],
      [['detect', join(dir, 'nope.jsonl'), '--out', join(dir, 'o.jsonl')], /cannot read '.*nope\.jsonl'/],
      [['detect', dir, '--out', join(dir, 'o.jsonl'), '--threshold', 'high'], /--threshold must be a number from 0 to 1/],
      [['detect', dir, '--out', join(dir, 'o.jsonl'), '--release', 'm1'], /--release must be MODEL=TIME/],
      [['evaluate', '--truth', BIN, join(dir, 'suspects.jsonl')], /bin\.js:1: not JSON/],
      [['evaluate', join(dir, 'suspects.jsonl')], /--truth is required/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toHaveLength(1);
      expect(r.err[0], args.join(' ')).toMatch(message);
    }
  }, 60_000);
});
