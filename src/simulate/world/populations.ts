import { academicSource, casualSource, developerSource, enterpriseSource, evalHarnessSource, ragSource } from '../content/benign.js';
import { Rng } from '../prng.js';
import { calendar, DAY_MS, HOUR_MS } from '../timing/calendar.js';
import { calendarStarts, dailyTimes, listStarts, Schedule } from '../timing/schedule.js';
import { rotating, type Actor, type Identity, type OriginSource } from './actor.js';
import { splitVolume, timeZone, type BuildContext } from './context.js';
import { aliasBase, apiKey, cardFingerprint, deviceFingerprint, gmailAlias, invoiceAccount, orgDomain, personalEmail, phoneNumber, workEmail } from './identity.js';
import { cloudOrigin, homeOrigin, mobileOrigin, orgOrigin, vpnExit } from './network.js';

/**
 * Legitimate users. Names are the population labels in the ground truth.
 * `heavy` marks the heavy-use populations a detector must not flag (the
 * false-positive target applies to each of them separately).
 */
export const POPULATIONS = [
  { name: 'casual-chat', accountShare: 0.7, lineShare: 0.14, heavy: false },
  { name: 'developer', accountShare: 0.22, lineShare: 0.2, heavy: true },
  { name: 'enterprise-batch', accountShare: 0.02, lineShare: 0.22, heavy: true },
  { name: 'eval-harness', accountShare: 0.015, lineShare: 0.1, heavy: true },
  { name: 'rag-product', accountShare: 0.01, lineShare: 0.2, heavy: true },
  { name: 'academic-research', accountShare: 0.035, lineShare: 0.14, heavy: true },
] as const;
export type PopulationName = (typeof POPULATIONS)[number]['name'];

/**
 * Organisations that also buy from another provider keep their identity
 * there (domain, billing, network), as real customers do — so benign
 * cross-provider links exist and "seen at two providers" proves nothing alone.
 */
const CROSS_PROVIDER_CUSTOMER = 0.3;
/** Share of business customers (batch jobs, RAG products) whose accounts were opened days before the logs start. */
const NEW_CUSTOMER = 0.15;

export class OrgRegistry {
  private readonly byPopulation = new Map<string, number[]>();
  constructor(private readonly ctx: { keys: { next(): number } }) {}

  /** An organisation key for a provider: usually new, sometimes one already seen at another provider. */
  key(population: string, rng: Rng, providerIndex: number): number {
    const list = this.byPopulation.get(population) ?? [];
    this.byPopulation.set(population, list);
    if (providerIndex > 0 && list.length > 0 && rng.chance(CROSS_PROVIDER_CUSTOMER)) return rng.pick(list);
    const key = this.ctx.keys.next();
    list.push(key);
    return key;
  }
}

type Builder = (ctx: BuildContext, rng: Rng, count: number, lines: number, orgs: OrgRegistry) => Actor[];

const MINUTE = 60_000;

function createdBefore(rng: Rng, t: number, minDays: number, maxDays: number): number {
  return Math.round(t - rng.range(minDays, maxDays) * DAY_MS);
}

function actor(ctx: BuildContext, label: string, rng: Rng, parts: Omit<Actor, 'account' | 'label' | 'rng'>): Actor {
  return { account: ctx.newAccount(), label, rng: rng.fork(ctx.keys.next()), ...parts };
}

function homeAndMobile(homeKey: number, mobileShare: number, vpn: boolean): OriginSource {
  if (vpn) return rotating(vpnExit, 0.92);
  const home = homeOrigin(homeKey);
  return (rng) => (rng.chance(mobileShare) ? mobileOrigin(rng, homeKey) : home);
}

const casual: Builder = (ctx, rng, count, lines) => {
  const { world, keys } = ctx;
  const volumes = splitVolume(rng, count, lines, 1.0);
  const out: Actor[] = [];
  while (out.length < count) {
    // Most people have one account; some households share a card and a laptop;
    // a few people keep a second account under a Gmail alias of their address.
    const kind = rng.weighted(['single', 'household', 'alias'] as const, [95, 3, 2]);
    const size = kind === 'single' ? 1 : kind === 'household' ? rng.int(2, 3) : 2;
    const homeKey = keys.next();
    const card = rng.chance(0.45) ? cardFingerprint(keys.next()) : '';
    const sharedDevice = deviceFingerprint(keys.next());
    const person = keys.next();
    for (let m = 0; m < size && out.length < count; m++) {
      const n = volumes[out.length] as number;
      const newcomer = rng.chance(0.1);
      const firstDay = newcomer ? rng.int(0, world.days - 1) : 0;
      const start = world.origin + firstDay * DAY_MS;
      const email = kind === 'alias' ? gmailAlias(aliasBase(person), rng) : personalEmail(m === 0 ? person : keys.next());
      const devices = kind === 'single' && rng.chance(0.15) ? [sharedDevice, deviceFingerprint(keys.next())] : [sharedDevice];
      const sessions = Math.max(1, Math.round(n / rng.lognormal(2.5, 0.5)));
      const identity: Identity = {
        email,
        phone: rng.chance(0.4) ? phoneNumber(ctx.phones.next()) : '',
        payments: card ? [card] : [],
        devices,
        keys: [apiKey(world.name, keys.next(), 0)],
        origin: homeAndMobile(homeKey, 0.2, rng.chance(0.05)),
      };
      out.push(actor(ctx, 'casual-chat', rng, {
        created: newcomer ? start - rng.int(1, 60) * MINUTE : createdBefore(rng, start, 1, 900),
        schedule: new Schedule({ starts: calendarStarts(calendar('human', timeZone(rng), 1.1), world.origin, firstDay, world.days, sessions), requests: n, gapMs: 50_000, gapCv: 1.1, sessionSpread: 0.6, endMs: world.end }),
        prompts: casualSource(),
        identity,
        models: { reasoning: 0.15, adoptNew: 0.3 },
      }));
    }
  }
  return out;
};

const developer: Builder = (ctx, rng, count, lines) => {
  const { world, keys } = ctx;
  const volumes = splitVolume(rng, count, lines, 1.1);
  const out: Actor[] = [];
  while (out.length < count) {
    // Startups put a few developers on one company card and domain.
    const team = rng.chance(0.1) ? rng.int(2, 4) : 1;
    const teamKey = keys.next();
    const domain = team > 1 ? orgDomain(teamKey, false) : '';
    const teamCard = team > 1 ? cardFingerprint(keys.next()) : '';
    const tz = timeZone(rng);
    for (let m = 0; m < team && out.length < count; m++) {
      const n = volumes[out.length] as number;
      const person = keys.next();
      const homeKey = keys.next();
      const office = team > 1 ? orgOrigin(teamKey, m, false) : undefined;
      const vpn = rng.chance(0.15);
      const home = homeOrigin(homeKey);
      const origin: OriginSource = vpn ? rotating(vpnExit, 0.85) : (r) => (office && r.chance(0.6) ? office : r.chance(0.1) ? mobileOrigin(r, homeKey) : home);
      const sessions = Math.max(1, Math.round(n / rng.lognormal(6, 0.6)));
      out.push(actor(ctx, 'developer', rng, {
        created: createdBefore(rng, world.origin, 5, 1000),
        schedule: new Schedule({ starts: calendarStarts(calendar('work', tz, 0.25), world.origin, 0, world.days, sessions), requests: n, gapMs: 45_000, gapCv: 1.3, sessionSpread: 0.7, endMs: world.end }),
        prompts: developerSource(person),
        identity: {
          email: domain ? workEmail(person, domain) : personalEmail(person),
          phone: rng.chance(0.3) ? phoneNumber(ctx.phones.next()) : '',
          payments: [teamCard || cardFingerprint(keys.next())],
          devices: rng.chance(0.4) ? [deviceFingerprint(keys.next()), deviceFingerprint(keys.next())] : [deviceFingerprint(keys.next())],
          keys: rng.chance(0.3) ? [apiKey(world.name, person, 0), apiKey(world.name, person, 1)] : [apiKey(world.name, person, 0)],
          origin,
        },
        models: { reasoning: 0.3, adoptNew: 0.5 },
      }));
    }
  }
  return out;
};

const enterprise: Builder = (ctx, rng, count, lines, orgs) => {
  const { world, keys } = ctx;
  const volumes = splitVolume(rng, count, lines, 0.8, 5);
  const out: Actor[] = [];
  while (out.length < count) {
    const org = orgs.key('enterprise-batch', rng, world.index);
    const orgRng = new Rng(org, 0xe47);
    const domain = orgDomain(org, false);
    const hosts = [deviceFingerprint(org, 1), deviceFingerprint(org, 2)];
    const block = orgRng.int(0, 479);
    const size = rng.int(2, 6);
    const baseHour = orgRng.int(0, 23);
    const weekdaysOnly = orgRng.chance(0.5);
    // Some customers are onboarding right now: brand-new accounts at full volume from day one.
    const onboarding = rng.chance(NEW_CUSTOMER);
    for (let m = 0; m < size && out.length < count; m++) {
      const n = volumes[out.length] as number;
      const runs = dailyTimes(world.origin, 0, world.days, (baseHour + m) % 24, weekdaysOnly);
      const host = orgRng.int(0, 200);
      out.push(actor(ctx, 'enterprise-batch', rng, {
        created: onboarding ? createdBefore(rng, world.origin, 0.5, 10) : createdBefore(rng, world.origin, 30, 1200),
        schedule: new Schedule({ starts: listStarts(runs, runs.length, 3 * MINUTE), requests: n, gapMs: rng.range(1500, 8000), gapCv: 0.06, sessionSpread: 0.15, endMs: world.end }),
        prompts: enterpriseSource(org, keys.next()),
        identity: {
          email: workEmail(keys.next(), domain),
          phone: '',
          payments: [invoiceAccount(org)],
          devices: [hosts[m % 2] as string],
          keys: [apiKey(world.name, keys.next(), 0)],
          origin: () => cloudOrigin(block, host),
        },
        models: { reasoning: 0.05, adoptNew: 0.1 },
      }));
    }
  }
  return out;
};

const evalHarness: Builder = (ctx, rng, count, lines, orgs) => {
  const { world, keys } = ctx;
  const volumes = splitVolume(rng, count, lines, 0.7, 10);
  const out: Actor[] = [];
  while (out.length < count) {
    const org = orgs.key('eval-harness', rng, world.index);
    const domain = orgDomain(org, false);
    const onCloud = rng.chance(0.6);
    const orgRng = new Rng(org, 0xe7);
    // CI runners: a fresh VM per job, anywhere in a few blocks of the cloud region.
    const blocks = [orgRng.int(0, 479), orgRng.int(0, 479), orgRng.int(0, 479)];
    // Teams evaluate new models as soon as they ship: most runs land in the two days after the release.
    const runCount = rng.int(2, 6);
    const runs: number[] = [];
    for (let r = 0; r < runCount; r++) {
      runs.push(rng.chance(0.6) ? world.release + rng.range(0.5, 48) * HOUR_MS : world.origin + rng.int(0, world.days - 1) * DAY_MS + rng.range(8, 18) * HOUR_MS);
    }
    runs.sort((a, b) => a - b);
    const size = rng.int(1, 3);
    const card = rng.chance(0.5) ? invoiceAccount(org) : cardFingerprint(keys.next());
    for (let m = 0; m < size && out.length < count; m++) {
      const n = volumes[out.length] as number;
      const host = keys.next();
      out.push(actor(ctx, 'eval-harness', rng, {
        created: createdBefore(rng, world.origin, 20, 900),
        schedule: new Schedule({ starts: listStarts(runs, runs.length, 20 * MINUTE), requests: n, gapMs: rng.range(1200, 4000), gapCv: 0.15, sessionSpread: 0.05, endMs: world.end }),
        prompts: evalHarnessSource(keys.next()),
        identity: {
          email: workEmail(keys.next(), domain),
          phone: '',
          payments: [card],
          devices: [deviceFingerprint(host)],
          keys: [apiKey(world.name, host, 0)],
          origin: onCloud ? rotating((r) => cloudOrigin(r.pick(blocks), r.int(0, 250)), 0.995) : () => orgOrigin(org, host, false),
        },
        models: { reasoning: 0.5, adoptNew: 0.9 },
      }));
    }
  }
  return out;
};

const rag: Builder = (ctx, rng, count, lines, orgs) => {
  const { world, keys } = ctx;
  const volumes = splitVolume(rng, count, lines, 1.0, 20);
  const out: Actor[] = [];
  while (out.length < count) {
    const org = orgs.key('rag-product', rng, world.index);
    const orgRng = new Rng(org, 0x4a9);
    const domain = orgDomain(org, false);
    const blocks = [orgRng.int(0, 479), orgRng.int(0, 479), orgRng.int(0, 479)];
    const tz = timeZone(orgRng);
    const size = rng.int(1, 2);
    const onboarding = rng.chance(NEW_CUSTOMER);
    for (let m = 0; m < size && out.length < count; m++) {
      const n = volumes[out.length] as number;
      const sessions = Math.max(1, Math.round(n / rng.lognormal(12, 0.5)));
      const k = keys.next();
      out.push(actor(ctx, 'rag-product', rng, {
        created: onboarding ? createdBefore(rng, world.origin, 0.5, 10) : createdBefore(rng, world.origin, 30, 1000),
        schedule: new Schedule({ starts: calendarStarts(calendar('service', tz, 0.8), world.origin, 0, world.days, sessions), requests: n, gapMs: 30_000, gapCv: 1.0, sessionSpread: 0.5, endMs: world.end }),
        prompts: ragSource(org),
        identity: {
          email: workEmail(keys.next(), domain),
          phone: '',
          payments: [invoiceAccount(org)],
          devices: [deviceFingerprint(org, 3), deviceFingerprint(org, 4)],
          keys: [apiKey(world.name, k, 0), apiKey(world.name, k, 1), apiKey(world.name, k, 2)],
          // A product's servers: several hosts in a few blocks of one cloud.
          origin: rotating((r) => cloudOrigin(r.pick(blocks), r.int(0, 30)), 0.7),
        },
        models: { reasoning: 0.1, adoptNew: 0.2 },
      }));
    }
  }
  return out;
};

const academic: Builder = (ctx, rng, count, lines, orgs) => {
  const { world, keys } = ctx;
  const volumes = splitVolume(rng, count, lines, 1.0, 5);
  const out: Actor[] = [];
  while (out.length < count) {
    const lab = orgs.key('academic-research', rng, world.index);
    const domain = orgDomain(lab, true);
    const labCard = rng.chance(0.7) ? cardFingerprint(lab, 1) : '';
    const clusterNode = deviceFingerprint(lab, 5);
    const size = rng.int(1, 5);
    // Labs without their own GPUs rent cloud instances: autoscaled VMs across several blocks of one cloud.
    const labRng = new Rng(lab, 0xac);
    const cloudBlocks = labRng.chance(0.3) ? Array.from({ length: labRng.int(3, 8) }, () => labRng.int(0, 479)) : undefined;
    for (let m = 0; m < size && out.length < count; m++) {
      const n = volumes[out.length] as number;
      const person = keys.next();
      // A new student's account starts a project at once: young account, high volume, scripted.
      const newcomer = rng.chance(0.25);
      const firstDay = newcomer ? rng.int(0, Math.max(0, world.days - 4)) : 0;
      const start = world.origin + firstDay * DAY_MS;
      const sessions = Math.max(1, Math.round(n / rng.lognormal(60, 0.6)));
      out.push(actor(ctx, 'academic-research', rng, {
        created: newcomer ? createdBefore(rng, start, 0.05, 10) : createdBefore(rng, world.origin, 30, 1500),
        schedule: new Schedule({ starts: calendarStarts(calendar(rng.chance(0.5) ? 'flat' : 'work', timeZone(rng), 0.6), world.origin, firstDay, world.days, sessions), requests: n, gapMs: rng.range(1500, 6000), gapCv: 0.25, sessionSpread: 0.5, endMs: world.end }),
        prompts: academicSource(person),
        identity: {
          email: workEmail(person, domain),
          phone: rng.chance(0.2) ? phoneNumber(ctx.phones.next()) : '',
          payments: [labCard || cardFingerprint(keys.next())],
          devices: [deviceFingerprint(keys.next()), clusterNode],
          keys: [apiKey(world.name, person, 0)],
          origin: cloudBlocks ? rotating((r) => cloudOrigin(r.pick(cloudBlocks), r.int(0, 250)), 0.97) : (r) => orgOrigin(lab, r.chance(0.8) ? 0 : person, true),
        },
        models: { reasoning: 0.6, adoptNew: 0.5 },
      }));
    }
  }
  return out;
};

export const BUILDERS: Record<PopulationName, Builder> = {
  'casual-chat': casual,
  developer,
  'enterprise-batch': enterprise,
  'eval-harness': evalHarness,
  'rag-product': rag,
  'academic-research': academic,
};
