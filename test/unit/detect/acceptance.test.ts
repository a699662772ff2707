import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTruth } from '../../../src/detect/evaluate/load.js';
import { evaluate, type Evaluation } from '../../../src/detect/evaluate/metrics.js';
import { runDetection } from '../../../src/detect/run.js';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';
import { IDENTIFIER_KINDS, SuspectSchema, type Suspect } from '../../../src/fingerprint/suspect.js';
import { simulate } from '../../../src/simulate/simulate.js';
import { CAMPAIGN_KINDS } from '../../../src/simulate/world/campaigns.js';

/**
 * The acceptance criteria, on scenarios whose seeds were never used
 * while choosing the detector's weights (those were tuned on seeds 1–3) at
 * the default stealth (0.5, each campaign ±0.15 around it).
 */
const HELD_OUT_SEEDS = [7001, 7002];
const MAX_HEAVY_USE_FPR = 0.005;

interface Run {
  seed: number;
  evaluation: Evaluation;
  suspects: Suspect[];
}

let dir: string;
const runs: Run[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-accept-'));
  for (const seed of HELD_OUT_SEEDS) {
    const out = join(dir, String(seed));
    const sim = await simulate({ providers: 3, seed, accounts: 4000, lines: 32_000, stealth: 0.5, campaigns: CAMPAIGN_KINDS, days: 14, out, format: 'jsonl' });
    const result = await runDetection({ files: sim.logs.map((l) => l.path), out: join(out, 'suspects.jsonl') });
    const lines = (await readFile(join(out, 'suspects.jsonl'), 'utf8')).trim().split('\n');
    const suspects = lines.map((l) => SuspectSchema.parse(JSON.parse(l)));
    expect(suspects.length).toBe(result.detection.flagged.length);
    runs.push({ seed, evaluation: evaluate(await loadTruth(sim.truth), suspects), suspects });
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('detection on held-out seeds', () => {
  it('reaches account-level precision ≥ 0.95 and recall ≥ 0.90', () => {
    for (const { seed, evaluation } of runs) {
      expect(evaluation.account.precision, `seed ${seed}`).toBeGreaterThanOrEqual(0.95);
      expect(evaluation.account.recall, `seed ${seed}`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('keeps the false-positive rate ≤ 0.5% on every benign heavy-use population', () => {
    for (const { seed, evaluation } of runs) {
      const heavy = evaluation.populations.filter((p) => p.heavy);
      expect(heavy.map((p) => p.population).sort()).toEqual(['academic-research', 'developer', 'enterprise-batch', 'eval-harness', 'rag-product']);
      for (const p of heavy) expect(p.fpr, `seed ${seed} ${p.population}`).toBeLessThanOrEqual(MAX_HEAVY_USE_FPR);
    }
  });

  it('recovers campaigns that span several providers as clusters across those providers', () => {
    for (const { seed, evaluation } of runs) {
      const cross = evaluation.campaigns.filter((c) => c.providers >= 2);
      expect(cross.length, `seed ${seed}`).toBeGreaterThanOrEqual(3);
      for (const c of cross) expect(c.crossProvider, `seed ${seed} ${c.campaign}`).toBe(true);
    }
  });

  it('gives every flagged account reasons that name the features behind its score', () => {
    for (const { suspects } of runs) {
      for (const s of suspects) {
        expect(s.labels.length, s.id).toBeGreaterThan(0);
        expect(s.reasons?.some((r) => /\[[a-z_]+ \+\d+\.\d\d\]$/.test(r)), s.id).toBe(true);
        expect(s.reasons?.join('\n'), s.id).not.toContain('\uFFFD');
        // Every label is a feature code that appears in a reason or names a shared identifier.
        for (const label of s.labels) expect(s.reasons?.some((r) => r.includes(`[${label} `)) || label.startsWith('shared_'), `${s.id} ${label}`).toBe(true);
      }
    }
  });

  it('writes suspects that cordon publish --raw can take: schema-valid, identifiers it accepts', () => {
    const rejected: string[] = [];
    for (const { suspects } of runs) {
      for (const s of suspects) {
        expect(s.prompts.length, s.id).toBeGreaterThan(0);
        expect(Date.parse(s.expires)).toBeGreaterThan(Date.now());
        for (const kind of IDENTIFIER_KINDS) for (const v of s.identifiers[kind] ?? []) if (!normalizeIdentifier(kind, v).ok) rejected.push(`${kind}:${v}`);
      }
    }
    expect(rejected).toEqual([]);
  });
});
