import { describe, expect, it } from 'vitest';
import { CordonError } from '../../../src/errors.js';
import {
  DEFAULT_MIN_ACCOUNTS,
  DEFAULT_MIN_PROMPTS,
  MAX_TRACKED_ACCOUNTS,
  mineTemplates,
  TemplateMiner,
  type PromptEvent,
} from '../../../src/fingerprint/template/miner.js';
import { skeleton } from '../../../src/fingerprint/template/skeleton.js';
import { renderPrompt, seededRandom, syntheticTemplates } from '../../../src/fingerprint/template/synthetic.js';

const TRANSLATE = (text: string): string => `Translate the following text into French and keep the tone: "${text}"`;

describe('template miner', () => {
  describe('sharing thresholds', () => {
    it('shares a skeleton only once seen from ≥ N accounts and in ≥ M prompts (defaults 3 and 10)', () => {
      expect([DEFAULT_MIN_ACCOUNTS, DEFAULT_MIN_PROMPTS]).toEqual([3, 10]);
      const miner = new TemplateMiner();
      // Two accounts, many prompts: not enough accounts.
      for (let i = 0; i < 20; i++) expect(miner.observe(`acct-${i % 2}`, TRANSLATE(`sentence ${i}`)).template.shareable).toBe(false);
      // A third account makes it shareable, exactly once.
      const third = miner.observe('acct-2', TRANSLATE('one more'));
      expect(third.becameShareable).toBe(true);
      expect(third.template).toMatchObject({ skeleton: 'translate the following text into french and keep the tone: <*>', accounts: 3, prompts: 21, shareable: true });
      expect(miner.observe('acct-3', TRANSLATE('and another')).becameShareable).toBe(false);
      expect(miner.shareable()).toHaveLength(1);
    });

    it('needs the prompt count too', () => {
      const miner = new TemplateMiner();
      for (let i = 0; i < 9; i++) miner.observe(`acct-${i}`, TRANSLATE(`text ${i}`));
      expect(miner.shareable()).toHaveLength(0);
      expect(miner.observe('acct-9', TRANSLATE('tenth')).becameShareable).toBe(true);
    });

    it('takes custom thresholds', () => {
      const miner = new TemplateMiner({ minAccounts: 2, minPrompts: 3 });
      miner.observe('a', TRANSLATE('x'));
      miner.observe('a', TRANSLATE('y'));
      expect(miner.shareable()).toHaveLength(0);
      expect(miner.observe('b', TRANSLATE('z')).becameShareable).toBe(true);
    });

    it('never shares a skeleton with too little literal text', () => {
      const miner = new TemplateMiner({ minAccounts: 1, minPrompts: 1 });
      const obs = miner.observe('a', 'Question: what is love?');
      expect(obs.template.skeleton).toBe('question: <*>');
      expect(obs.template.shareable).toBe(false);
    });

    it('rejects thresholds it cannot honour', () => {
      expect(() => new TemplateMiner({ minAccounts: 0 })).toThrow(CordonError);
      expect(() => new TemplateMiner({ minAccounts: MAX_TRACKED_ACCOUNTS + 1 })).toThrow(/minAccounts/);
      expect(() => new TemplateMiner({ minPrompts: 1.5 })).toThrow(/minPrompts/);
      expect(() => new TemplateMiner({ maxClusters: 0 })).toThrow(/maxClusters/);
      expect(() => new TemplateMiner({ mergeThreshold: 0 })).toThrow(/mergeThreshold/);
    });

    it('counts distinct accounts up to its cap', () => {
      const miner = new TemplateMiner();
      for (let i = 0; i < 3; i++) miner.observe('same', TRANSLATE(`t${i}`));
      expect(miner.templates()[0]!.accounts).toBe(1);
      for (let i = 0; i < MAX_TRACKED_ACCOUNTS + 10; i++) miner.observe(`acct-${i}`, TRANSLATE(`t${i}`));
      expect(miner.templates()[0]!.accounts).toBe(MAX_TRACKED_ACCOUNTS);
    });
  });

  describe('payloads and edits', () => {
    it('learns an undelimited payload as <*> after a few prompts', () => {
      const miner = new TemplateMiner();
      const topics = ['photosynthesis', 'black holes', 'the french revolution', 'how vaccines work', 'compound interest', 'tides', 'rainbows', 'inflation'];
      for (const topic of topics) miner.observe('a', `Explain like I am five years old, using one short analogy, ${topic}`);
      // Until a couple of prompts agree, a payload can still look like template
      // text; the template that forms absorbs nearly all prompts.
      const [top] = miner.templates().sort((a, b) => b.prompts - a.prompts);
      expect(top!.prompts).toBeGreaterThanOrEqual(topics.length - 1);
      expect(top!.skeleton).toBe('explain like i am five years old, using one short analogy, <*>');
      expect(top!.revision).toBeGreaterThan(0);
    });

    it('is not eroded by scattered word edits', () => {
      const [template] = syntheticTemplates(5, 1).map((t) => ({ ...t, style: 'quoted' as const }));
      const rng = seededRandom(6);
      const miner = new TemplateMiner();
      miner.observe('a', renderPrompt(rng, template!, 0));
      for (let i = 0; i < 60; i++) miner.observe(`acct-${i % 7}`, renderPrompt(rng, template!, 1 + (i % 3)));
      const [mined] = miner.templates().sort((a, b) => b.prompts - a.prompts);
      expect(mined!.prompts).toBeGreaterThanOrEqual(58);
      // The consensus is the unedited template: no edit reached a majority.
      expect(mined!.skeleton).toBe(skeleton(renderPrompt(rng, template!, 0)));
    });

    it('keeps templates apart that share only a boilerplate opening', () => {
      const miner = new TemplateMiner();
      for (let i = 0; i < 5; i++) {
        miner.observe('a', `You are a helpful assistant. Summarize this email thread for a busy executive in three bullets: "${i}"`);
        miner.observe('a', `You are a helpful assistant. Write a limerick about the given animal that a child would enjoy: "${i}"`);
      }
      expect(miner.templates().map((t) => t.prompts)).toEqual([5, 5]);
    });
  });

  it('bounds memory: at most maxClusters templates, least recently seen evicted first', () => {
    const miner = new TemplateMiner({ maxClusters: 5 });
    const templates = syntheticTemplates(9, 20);
    const rng = seededRandom(10);
    const keep = renderPrompt(rng, templates[0]!, 0);
    const kept = miner.observe('a', keep).template.id;
    for (const t of templates.slice(1)) {
      miner.observe('a', renderPrompt(rng, t, 0));
      miner.observe('a', keep);
      expect(miner.size).toBeLessThanOrEqual(5);
    }
    expect(miner.templates().map((t) => t.id)).toContain(kept);
    expect(miner.templates().find((t) => t.id === kept)!.prompts).toBe(20);
  });

  it('finds campaign templates in a mixed stream, and shares nothing benign', async () => {
    const campaigns = syntheticTemplates(31, 15).filter((t) => t.style !== 'inline');
    const rng = seededRandom(32);
    const events: PromptEvent[] = [];
    const campaignOf = new Map<string, number>();
    for (let i = 0; i < 1_500; i++) {
      if (rng() < 0.25) {
        // Benign: every prompt its own, from its own account.
        events.push({ accountId: `user-${i}`, prompt: renderPrompt(rng, syntheticTemplates(1_000 + i, 1)[0]!, 0) });
      } else {
        const c = campaigns[Math.floor(rng() * campaigns.length)]!;
        const prompt = renderPrompt(rng, c, Math.floor(rng() * 4));
        campaignOf.set(prompt, c.id);
        events.push({ accountId: `bot-${Math.floor(rng() * 30)}`, prompt });
      }
    }
    const miner = new TemplateMiner();
    const members = new Map<number, Set<number>>();
    for (const e of events) {
      const { template } = miner.observe(e.accountId, e.prompt);
      const campaign = campaignOf.get(e.prompt) ?? -1;
      members.set(template.id, (members.get(template.id) ?? new Set()).add(campaign));
    }
    const shared = miner.shareable();
    // Every campaign is found; every shared template is pure (one campaign, no benign prompt).
    const found = new Set(shared.flatMap((t) => [...members.get(t.id)!]));
    expect(found).toEqual(new Set(campaigns.map((c) => c.id)));
    for (const t of shared) expect(members.get(t.id)!.size).toBe(1);

    // The streaming form yields each shareable template as it crosses the thresholds.
    const yielded: number[] = [];
    for await (const t of mineTemplates(events)) yielded.push(t.id);
    expect(new Set(yielded)).toEqual(new Set(shared.map((t) => t.id)));
  });
});
