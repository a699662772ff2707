import { describe, expect, it } from 'vitest';
import { blank, type Features } from '../../../src/detect/features.js';
import { CLUSTER_MODEL, type ClusterFeatures } from '../../../src/detect/cluster/pool.js';
import { ACCOUNT_MODEL, ACCOUNT_SIGNALS, explain, ramp, score, support } from '../../../src/detect/scoring.js';

const features = (over: Partial<Features>): Features => ({ ...blank(), ...over });

/** A heavy legitimate user: a research group's scripted chain-of-thought study from its campus. */
const researcher = features({ requests: 900, volumeRatio: 400, cotShare: 1, outInRatio: 22, templateShare: 1, topicBreadth: 0.3, novelty: 0.95, gapCv: 0.25, networks: 1, asns: 1, netChangeRate: 0, ageAtFirstUseDays: 600, requestsPerDayOfAge: 1.4, surgeShare: 0.1 });
/** An evaluation harness re-running its benchmark after a release. */
const harness = features({ requests: 2000, volumeRatio: 900, cotShare: 1, outInRatio: 11, templateShare: 1, topicBreadth: 0.9, novelty: 0.2, gapCv: 0.15, networks: 1, asns: 1, ageAtFirstUseDays: 400, requestsPerDayOfAge: 4, surgeShare: 0.8 });
/** A distillation account: reasoning traces through rotating proxies on a days-old account. */
const extractor = features({ requests: 300, volumeRatio: 150, cotShare: 0.8, outInRatio: 30, templateShare: 0.4, topicBreadth: 0.5, novelty: 1, gapCv: 0.5, networks: 14, asns: 9, netChangeRate: 0.6, ageAtFirstUseDays: 3, requestsPerDayOfAge: 20 });

describe('ramps', () => {
  it('go from 0 to 1 between their thresholds and treat unknown as no evidence', () => {
    expect(ramp(1, 2, 4)).toBe(0);
    expect(ramp(3, 2, 4)).toBe(0.5);
    expect(ramp(9, 2, 4)).toBe(1);
    expect(ramp(Number.NaN, 2, 4)).toBe(0);
    expect(support(1)).toBe(0);
    expect(support(50)).toBe(1);
  });
});

describe('account model', () => {
  it('does not flag heavy legitimate use that shares some signals with distillation', () => {
    expect(score(ACCOUNT_MODEL, researcher).score).toBeLessThan(0.2);
    expect(score(ACCOUNT_MODEL, harness).score).toBeLessThan(0.2);
    expect(score(ACCOUNT_MODEL, features({ requests: 2, cotShare: 1, outInRatio: 30 })).score).toBeLessThan(0.01);
  });

  it('flags distillation behaviour and names the features behind it', () => {
    const s = score(ACCOUNT_MODEL, extractor);
    expect(s.score).toBeGreaterThan(0.75);
    const { codes, reasons } = explain(ACCOUNT_MODEL, extractor, s.contributions);
    expect(codes.slice(0, 3)).toEqual(expect.arrayContaining(['proxy_rotation', 'output_heavy']));
    expect(reasons[0]).toMatch(/networks .* ASNs/);
    expect(reasons.every((r) => /\[[a-z_]+ \+\d+\.\d\d\]$/.test(r))).toBe(true);
  });

  it('every weighted signal exists, and mitigating ones lower the score', () => {
    const codes = new Set(ACCOUNT_SIGNALS.map((s) => s.code));
    for (const code of Object.keys(ACCOUNT_MODEL.weights)) expect(codes.has(code), code).toBe(true);
    expect(ACCOUNT_MODEL.weights.prompt_repetition).toBeLessThan(0);
    expect(ACCOUNT_MODEL.weights.stable_origin).toBeLessThan(0);
    const repeated = score(ACCOUNT_MODEL, { ...extractor, novelty: 0.1 }).score;
    expect(repeated).toBeLessThan(score(ACCOUNT_MODEL, extractor).score);
  });
});

describe('cluster model', () => {
  const cluster = (pooled: Features, over: Partial<ClusterFeatures>): ClusterFeatures => ({
    pooled,
    memberEvidence: Float64Array.from(ACCOUNT_SIGNALS, (s) => s.evidence(pooled)),
    size: 2,
    providers: 1,
    syncShare: 0,
    identityShare: 1,
    ...over,
  });
  /** Pooled traffic of many quiet accounts behind residential proxies. */
  const quiet = features({ requests: 3000, volumeRatio: 1500, cotShare: 0.5, outInRatio: 28, novelty: 1, ageAtFirstUseDays: 10, requestsPerDayOfAge: 0.5, networks: 6, asns: 4, netChangeRate: 0.5 });

  it('flags a campaign spread thin over many linked accounts', () => {
    expect(score(CLUSTER_MODEL, cluster(quiet, { size: 220, providers: 3 })).score).toBeGreaterThan(0.9);
  });

  it('does not flag a small legitimate group with the same content', () => {
    expect(score(CLUSTER_MODEL, cluster(researcher, { size: 5, providers: 2 })).score).toBeLessThan(0.2);
    expect(score(CLUSTER_MODEL, cluster(quiet, { size: 3 })).score).toBeLessThan(0.5);
  });
});
