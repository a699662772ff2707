import { extractionSource, type ExtractionStyle } from '../content/campaign.js';
import type { Topic } from '../content/topics.js';
import { Rng } from '../prng.js';
import { calendar, DAY_MS, HOUR_MS } from '../timing/calendar.js';
import { calendarStarts, listStarts, Schedule, type StartSource } from '../timing/schedule.js';
import { rotating, type Actor, type OriginSource } from './actor.js';
import { lerp, splitVolume, timeZone, type BuildContext } from './context.js';
import type { Keys } from './keys.js';
import { aliasBase, apiKey, cardFingerprint, deviceFingerprint, gmailAlias, personalEmail, phoneNumber } from './identity.js';
import { cloudOrigin, residentialProxyExit } from './network.js';

/**
 * Distillation campaigns. Each kind is one tactic labs have described in
 * public; stealth (0–1) moves every knob towards looking ordinary: fewer
 * shared cards and devices, more wording variants, subtler reasoning requests,
 * more cover traffic, human-like timing, aged accounts, stickier proxies.
 */
export const CAMPAIGN_KINDS = ['cot-extraction', 'coverage-sweep', 'low-and-slow', 'hydra-proxy', 'paraphrase', 'shared-infra', 'release-burst'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

type Timing = 'scripted' | 'waves' | 'human' | 'release-waves';
type Network = 'cloud' | 'residential';

/**
 * A campaign kind as it behaves at stealth 0. Stealth s then moves each knob
 * the same way for every kind (see `atStealth`): the quadratic terms keep
 * s = 0.5 recognisably abusive while s → 1 approaches an ordinary power user.
 */
interface KindSpec {
  readonly accountWeight: number;
  readonly lineWeight: number;
  /** 'all': the same operation runs at every provider; 'some': at a random subset. */
  readonly spread: 'all' | 'some';
  readonly timing: Timing;
  readonly network: Network;
  readonly mode: 'reasoning' | 'sweep';
  /** Wording variants at stealth 0, and how many more full stealth adds. */
  readonly variants: number;
  readonly paraphrase: number;
  /** Share of ordinary-looking cover requests at stealth 0. */
  readonly cover: number;
  /** Accounts per payment card and per device at stealth 0, and the least sharing the kind ever gets down to. */
  readonly perCard: number;
  readonly perDevice: number;
  readonly minSharing: number;
  /** Share of accounts registered on aliases of a few Gmail mailboxes / verified with an SMS-farm number, at stealth 0. */
  readonly alias: number;
  readonly phone: number;
  /** Chance a proxy exit / VM is kept for the next request, at stealth 0. */
  readonly stickiness: number;
  readonly volumeSigma: number;
}

const REASONING: readonly Topic[] = ['math', 'code', 'physics', 'chemistry', 'finance', 'biology'];

export const KINDS: Record<CampaignKind, KindSpec> = {
  // Harvest reasoning traces for a few target capabilities from a moderate number of busy accounts.
  'cot-extraction': { accountWeight: 0.06, lineWeight: 0.2, spread: 'all', timing: 'scripted', network: 'cloud', mode: 'reasoning', variants: 1, paraphrase: 8, cover: 0, perCard: 6, perDevice: 8, minSharing: 1, alias: 1, phone: 0.5, stickiness: 0.3, volumeSigma: 0.6 },
  // Walk the whole capability taxonomy systematically.
  'coverage-sweep': { accountWeight: 0.04, lineWeight: 0.12, spread: 'some', timing: 'scripted', network: 'cloud', mode: 'sweep', variants: 1, paraphrase: 6, cover: 0, perCard: 6, perDevice: 8, minSharing: 1, alias: 1, phone: 0.4, stickiness: 0.3, volumeSigma: 0.5 },
  // Thousands of accounts, each too quiet to notice, driven in coordinated waves.
  'low-and-slow': { accountWeight: 0.55, lineWeight: 0.18, spread: 'all', timing: 'waves', network: 'residential', mode: 'reasoning', variants: 1, paraphrase: 10, cover: 0, perCard: 25, perDevice: 30, minSharing: 1.5, alias: 1, phone: 0.6, stickiness: 0.05, volumeSigma: 0.5 },
  // A proxy "hydra": many accounts behind rotating residential exits, mixing in ordinary requests.
  'hydra-proxy': { accountWeight: 0.12, lineWeight: 0.15, spread: 'some', timing: 'human', network: 'residential', mode: 'reasoning', variants: 1, paraphrase: 10, cover: 0.3, perCard: 10, perDevice: 10, minSharing: 1, alias: 0.5, phone: 0.3, stickiness: 0.05, volumeSigma: 0.7 },
  // Rewords its template on every request to defeat template matching.
  paraphrase: { accountWeight: 0.06, lineWeight: 0.13, spread: 'some', timing: 'scripted', network: 'cloud', mode: 'reasoning', variants: 20, paraphrase: 40, cover: 0, perCard: 8, perDevice: 8, minSharing: 1, alias: 1, phone: 0.3, stickiness: 0.3, volumeSigma: 0.6 },
  // A few cards and machines behind many accounts.
  'shared-infra': { accountWeight: 0.07, lineWeight: 0.1, spread: 'some', timing: 'scripted', network: 'cloud', mode: 'reasoning', variants: 1, paraphrase: 5, cover: 0, perCard: 15, perDevice: 15, minSharing: 3, alias: 1, phone: 0.5, stickiness: 0.3, volumeSigma: 0.6 },
  // Fresh accounts firing synchronised bursts at the new model right after its release.
  'release-burst': { accountWeight: 0.1, lineWeight: 0.12, spread: 'all', timing: 'release-waves', network: 'cloud', mode: 'reasoning', variants: 1, paraphrase: 6, cover: 0, perCard: 8, perDevice: 8, minSharing: 1, alias: 1, phone: 0.4, stickiness: 0.3, volumeSigma: 0.5 },
};

/** How a kind behaves at stealth s. */
export function atStealth(spec: KindSpec, s: number) {
  const s2 = s * s;
  return {
    variants: spec.variants + Math.round(spec.paraphrase * s),
    /** Reasoning requests worded without the usual keywords. */
    subtleShare: 0.8 * s2,
    coverShare: Math.min(0.8, spec.cover + 0.4 * s),
    perCard: lerp(spec.perCard, spec.minSharing, s),
    perDevice: lerp(spec.perDevice, spec.minSharing, s),
    aliasShare: spec.alias * (1 - s),
    phoneShare: spec.phone * (1 - s),
    stickiness: lerp(spec.stickiness, 0.9, s),
    /** Chance an account gets its own residential line, like a real subscriber, instead of a rotating pool. */
    dedicatedLine: s2,
    /** Chance an account was bought or aged rather than registered for the job. */
    agedAccount: s2,
    /** Chance the schedule follows a human day rather than running around the clock. */
    humanHours: s,
    mailboxesPerAlias: lerp(20, 3, s),
    waveJitterMinutes: lerp(4, 45, s),
  };
}

/**
 * One campaign: an operation with its own infrastructure (card, device,
 * mailbox and phone pools, proxy pool, wording), shared by its accounts at
 * every provider it hits — which is what lets cross-provider matching find it.
 */
export interface CampaignPlan {
  readonly id: string;
  readonly kind: CampaignKind;
  readonly key: number;
  readonly stealth: number;
  readonly providers: readonly number[];
  /** Accounts and requests at each of its providers (indexed like `providers`). */
  readonly accounts: readonly number[];
  readonly lines: readonly number[];
  /** Pools: `count` entities with consecutive keys from `first`. */
  readonly cards: Pool;
  readonly devices: Pool;
  readonly mailboxes: Pool;
  readonly phones: readonly string[];
  readonly topics: readonly Topic[];
  /** Coordinated wave times (ms offsets from each provider's reference; see waveTimes). */
  readonly waveOffsets: readonly number[];
  readonly waveJitterMs: number;
}

export interface Pool {
  readonly first: number;
  readonly count: number;
}

/** Wave times for a campaign at a provider: after the release for release bursts, over the whole period otherwise. */
function waveTimes(plan: CampaignPlan, origin: number, release: number): number[] {
  const base = KINDS[plan.kind].timing === 'release-waves' ? release : origin;
  return plan.waveOffsets.map((o) => base + o);
}

/** Plans a campaign's shared infrastructure. */
export function planCampaign(id: string, kind: CampaignKind, keys: Keys, stealth: number, providers: number[], accounts: number[], lines: number[], days: number, phoneKey: () => number): CampaignPlan {
  const key = keys.next();
  const spec = KINDS[kind];
  const rng = new Rng(key, 0xca);
  const total = accounts.reduce((a, b) => a + b, 0);
  const waveOffsets: number[] = [];
  if (spec.timing === 'waves') {
    // The orchestrator fires every few hours, around the clock, all period long.
    for (let t = rng.range(0, 3) * HOUR_MS; t < days * DAY_MS; t += rng.range(2.5, 5) * HOUR_MS) waveOffsets.push(t);
  } else if (spec.timing === 'release-waves') {
    for (let t = rng.range(0.1, 1) * HOUR_MS; t < 48 * HOUR_MS; t += rng.range(0.5, 1) * HOUR_MS) waveOffsets.push(t);
  }
  const phones: string[] = [];
  for (let i = 0; i < Math.max(1, Math.ceil(total / 12)); i++) phones.push(phoneNumber(phoneKey()));
  const topics = spec.mode === 'sweep' ? [] : [rng.pick(REASONING), rng.pick(REASONING), rng.pick(REASONING)];
  const knobs = atStealth(spec, stealth);
  return {
    id, kind, key, stealth, providers, accounts, lines, phones, topics, waveOffsets,
    cards: pool(keys, total / knobs.perCard),
    devices: pool(keys, total / knobs.perDevice),
    mailboxes: pool(keys, total / knobs.mailboxesPerAlias),
    waveJitterMs: knobs.waveJitterMinutes * 60_000,
  };
}

function pool(keys: Keys, size: number): Pool {
  const count = Math.max(1, Math.round(size));
  return { first: keys.reserve(count), count };
}

/** The campaign's accounts at one provider. */
export function buildCampaign(ctx: BuildContext, plan: CampaignPlan, at: number): Actor[] {
  const { world, keys } = ctx;
  const spec = KINDS[plan.kind];
  const s = plan.stealth;
  const count = plan.accounts[at] as number;
  const rng = new Rng(plan.key ^ world.seed, 0x100 + world.index);
  const volumes = splitVolume(rng, count, plan.lines[at] as number, spec.volumeSigma, spec.timing === 'waves' ? 2 : 5);
  const knobs = atStealth(spec, s);
  const style: ExtractionStyle = { campaignKey: plan.key, topics: plan.topics, mode: spec.mode, variants: knobs.variants, subtleShare: knobs.subtleShare, coverShare: knobs.coverShare };
  const waves = waveTimes(plan, world.origin, world.release);
  const out: Actor[] = [];
  for (let i = 0; i < count; i++) {
    const n = volumes[i] as number;
    const pick = (p: Pool): number => p.first + rng.int(0, p.count - 1);
    let starts: StartSource;
    let firstUse: number;
    let gapMs: number;
    let gapCv: number;
    if (spec.timing === 'waves' || spec.timing === 'release-waves') {
      const perWave = spec.timing === 'waves' ? rng.int(1, 2) : rng.int(2, 4);
      starts = listStarts(waves, Math.max(1, Math.round(n / perWave)), plan.waveJitterMs);
      firstUse = (spec.timing === 'waves' ? world.origin : world.release) - HOUR_MS;
      gapMs = lerp(4000, 40000, s);
      gapCv = lerp(0.2, 1, s);
    } else {
      const len = Math.max(3, Math.round(world.days * lerp(0.5, 1, s)));
      const firstDay = rng.int(0, world.days - len);
      const human = spec.timing === 'human' || rng.chance(knobs.humanHours);
      const perSession = spec.timing === 'human' ? 5 : lerp(40, 8, s);
      const sessions = Math.max(1, Math.round(n / rng.lognormal(perSession, 0.5)));
      starts = calendarStarts(calendar(human ? 'human' : 'flat', timeZone(rng), 1), world.origin, firstDay, firstDay + len, sessions);
      firstUse = world.origin + firstDay * DAY_MS;
      gapMs = spec.timing === 'human' ? 25_000 : lerp(4000, 40000, s);
      gapCv = spec.timing === 'human' ? 0.9 : lerp(0.15, 1, s);
    }
    // Accounts are registered shortly before use; stealthier operations buy or age them.
    const created = Math.round(firstUse - (rng.chance(knobs.agedAccount) ? rng.range(30, 700) : rng.range(0.2, 3) * (1 + 10 * s)) * DAY_MS);
    const proxyPool = plan.key * 31 + 7;
    let network: OriginSource;
    if (rng.chance(knobs.dedicatedLine)) {
      // One residential line per account, as a real subscriber has: nothing rotates.
      const line = residentialProxyExit(rng, proxyPool + 1, 1_000_000);
      network = () => line;
    } else if (spec.network === 'residential' || rng.chance(0.5 * s)) {
      network = rotating((r) => residentialProxyExit(r, proxyPool, 3000), knobs.stickiness);
    } else {
      network = rotating((r) => cloudOrigin(plan.key + r.int(0, 3 + Math.round(20 * s)), r.int(0, 250)), knobs.stickiness);
    }
    const alias = rng.chance(knobs.aliasShare);
    out.push({
      account: ctx.newAccount(),
      label: plan.id,
      rng: rng.fork(keys.next()),
      created,
      schedule: new Schedule({ starts, requests: n, gapMs, gapCv, sessionSpread: 0.4, endMs: world.end }),
      prompts: extractionSource(style),
      identity: {
        email: alias ? gmailAlias(aliasBase(pick(plan.mailboxes)), rng) : personalEmail(keys.next()),
        phone: rng.chance(knobs.phoneShare) ? rng.pick(plan.phones) : '',
        payments: [cardFingerprint(pick(plan.cards))],
        devices: [deviceFingerprint(pick(plan.devices))],
        keys: [apiKey(world.name, keys.next(), 0)],
        origin: network,
      },
      models: spec.timing === 'release-waves' ? { reasoning: 1, adoptNew: 1 } : { reasoning: 0.9, adoptNew: 0.7 },
    });
  }
  return out;
}
