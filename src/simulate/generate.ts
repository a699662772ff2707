import type { LogLine } from '../detect/log/record.js';
import type { RequestContext } from './content/benign.js';
import { TimeHeap } from './heap.js';
import type { Actor } from './world/actor.js';
import type { ProviderWorld } from './world/context.js';

/** The models a provider serves; the new one exists only from its release. */
export function models(world: ProviderWorld): { chat: string; mini: string; reasoning: string; released: string } {
  return { chat: `${world.name}-chat-1`, mini: `${world.name}-mini-1`, reasoning: `${world.name}-reason-1`, released: `${world.name}-reason-2` };
}

/**
 * Streams one provider's log in time order: a heap holds each account's next
 * request time; the earliest is emitted, then its account's schedule is
 * advanced. Memory is one heap entry per account, whatever the line count.
 */
export function* providerLines(world: ProviderWorld, actors: readonly Actor[]): Generator<LogLine> {
  const heap = new TimeHeap(actors.length);
  const createdIso = actors.map((a) => new Date(a.created).toISOString());
  for (let i = 0; i < actors.length; i++) {
    const a = actors[i] as Actor;
    const t = a.schedule.next(a.rng);
    if (t !== undefined) heap.push(t, i);
  }
  const m = models(world);
  const ctx: RequestContext = { inSession: 0 };
  while (heap.size > 0) {
    const t = heap.peekTime();
    const i = heap.peekItem();
    const a = actors[i] as Actor;
    ctx.inSession = a.schedule.inSession;
    const req = a.prompts.next(a.rng, ctx);
    const origin = a.identity.origin(a.rng);
    const { rng, identity } = a;
    const model = t >= world.release && rng.chance(a.models.adoptNew) ? m.released : rng.chance(a.models.reasoning) ? m.reasoning : rng.chance(0.7) ? m.chat : m.mini;
    yield {
      ts: new Date(t).toISOString(),
      provider: world.name,
      account: a.account,
      created: createdIso[i] as string,
      api_key: identity.keys.length === 1 ? (identity.keys[0] as string) : rng.pick(identity.keys),
      email: identity.email,
      phone: identity.phone,
      ip: origin.ip,
      asn: origin.asn,
      payment: identity.payments.length === 0 ? '' : (identity.payments[0] as string),
      device: identity.devices.length === 1 ? (identity.devices[0] as string) : rng.pick(identity.devices),
      model,
      prompt: req.prompt,
      in_tokens: req.inTokens,
      out_tokens: req.outTokens,
    };
    const next = a.schedule.next(a.rng);
    heap.pop();
    if (next !== undefined) heap.push(next, i);
  }
}
