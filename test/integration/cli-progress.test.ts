import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * The real `cordon` binary on long runs: progress lines on stderr once the
 * interval passes (CORDON_PROGRESS_MS=1 here, so any run with more than one
 * step crosses it), none with --quiet or --json, and --json output that parses.
 */
const BIN = resolve('src/cli/bin.js');
const FAST_PROGRESS = { CORDON_PROGRESS_MS: '1' };

function cordon(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 16 << 20, env: { ...process.env, ...FAST_PROGRESS } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout, err: stderr });
    });
  });
}

/** Two runs of the binary: seconds each on an idle machine, many more on a shared, loaded one. */
const TWO_BINARY_RUNS_MS = 180_000;

/** In-process, as the binary would run with progress due every millisecond; stdout and stderr captured apart. */
async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  process.env.CORDON_PROGRESS_MS = FAST_PROGRESS.CORDON_PROGRESS_MS;
  try {
    const code = await main(args, { out: (l) => void (out += l + '\n'), err: (l) => void (err += l + '\n'), interactive: false });
    return { code, out, err };
  } finally {
    delete process.env.CORDON_PROGRESS_MS;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-progress-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('progress and --json on simulate and detect', () => {
  const simulateArgs = (out: string) => ['simulate', '--providers', '2', '--seed', '5', '--accounts', '1500', '--lines', '12000', '--out', out];

  it('simulate prints progress lines on stderr, none with --quiet, and clean JSON with --json', async () => {
    const loud = await cordon(simulateArgs(join(dir, 'loud')));
    expect(loud.code, loud.err).toBe(0);
    const progress = loud.err.trim().split('\n');
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^simulate: [\d.]+[kM]? of 12k lines \(\d+%\), [\d.]+[kM]? lines\/s, about \d+ s left$/);

    const quiet = await inProcess([...simulateArgs(join(dir, 'quiet')), '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');
    expect(quiet.out).toMatch(/^simulated \d+ lines in [\d.]+ s/m);

    const json = await cordon([...simulateArgs(join(dir, 'sim')), '--json']);
    expect(json.code).toBe(0);
    expect(json.err).toBe('');
    const summary = JSON.parse(json.out);
    expect(Object.keys(summary).sort()).toEqual(['accounts', 'campaigns', 'lines', 'logs', 'seconds', 'seed', 'stealth', 'truth']);
    expect(summary.logs).toHaveLength(2);
    expect(summary.logs[0]).toEqual({ provider: 'p1', path: join(dir, 'sim', 'logs', 'p1.jsonl'), lines: expect.any(Number), accounts: expect.any(Number) });
    expect(summary.lines).toBe(summary.logs[0].lines + summary.logs[1].lines);
  }, TWO_BINARY_RUNS_MS);

  it('detect prints progress lines on stderr, none with --quiet, and clean JSON with --json', async () => {
    const logs = join(dir, 'sim', 'logs');
    const loud = await cordon(['detect', logs, '--out', join(dir, 'loud.jsonl')]);
    expect(loud.code, loud.err).toBe(0);
    const progress = loud.err.trim().split('\n');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatch(/^detect: reading: [\d.]+ [kM]B of [\d.]+ MB \(\d+%\), [\d.]+ [kM]?B\/s, about \d+ s left; \d+k? lines$/);
    for (const line of progress) expect(line).toMatch(/^detect: (reading|writing suspects): /);

    const quiet = await inProcess(['detect', logs, '--out', join(dir, 'quiet.jsonl'), '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.err).toBe('');

    const json = await cordon(['detect', logs, '--out', join(dir, 'json.jsonl'), '--json']);
    expect(json.code).toBe(0);
    expect(json.err).toBe('');
    const summary = JSON.parse(json.out);
    expect(Object.keys(summary).sort()).toEqual(['accounts', 'clusters', 'files', 'lines', 'malformed', 'out', 'records', 'releases', 'seconds', 'single_accounts', 'suspects', 'threshold']);
    expect(summary).toMatchObject({ files: [join(logs, 'p1.jsonl'), join(logs, 'p2.jsonl')], malformed: 0, out: join(dir, 'json.jsonl') });
    expect(summary.suspects).toBeGreaterThan(0);
    expect(Array.isArray(summary.releases)).toBe(true);
  }, TWO_BINARY_RUNS_MS);

  it('detect --json gives [] for no model releases', async () => {
    // One log line: one account, one model, no release seen in it.
    const file = join(dir, 'one.jsonl');
    await writeFile(file, JSON.stringify({ ts: '2026-11-01T00:00:00Z', account: 'a1', model: 'm1', prompt: 'hi' }) + '\n');
    const json = await inProcess(['detect', file, '--out', join(dir, 'none.jsonl'), '--json']);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ suspects: 0, releases: [], clusters: 0 });
  });
});
