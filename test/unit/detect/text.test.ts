import { describe, expect, it } from 'vitest';
import { elicitsReasoning } from '../../../src/detect/text/cot.js';
import { scanPrompt, type PromptScan } from '../../../src/detect/text/scan.js';
import { TOPIC_NAMES } from '../../../src/detect/text/topics.js';

const scan = (p: string): PromptScan => ({ ...scanPrompt(p, { content: 0, prefix: 0, suffix: 0, topic: -1 }) });
const topic = (p: string): string | undefined => TOPIC_NAMES[scan(p).topic];

describe('scanPrompt', () => {
  it('gives one template skeleton to prompts that differ only in numbers and payload', () => {
    const a = scan('You are an expert tutor. Solve the following problem. Find x if 3x + 7 = 22. Think step by step and show all of your reasoning.');
    const b = scan('You are an expert tutor. Solve the following problem. A train leaves at 9:40 and travels 120 km. Think step by step and show all of your reasoning.');
    expect(a.prefix).toBe(b.prefix);
    expect(a.suffix).toBe(b.suffix);
    expect(a.content).not.toBe(b.content);
    expect(scan('Summarize ticket #123: printer broken').prefix).toBe(scan('Summarize ticket #987: printer broken').prefix);
  });

  it('hashes whole prompts case-insensitively for distinct counting', () => {
    expect(scan('What is a Prime number?').content).toBe(scan('what is a prime NUMBER?').content);
  });

  it('finds the topic from lexicon words', () => {
    expect(topic('Compute the integral of x times the derivative of a polynomial')).toBe('math');
    expect(topic('Why does my Python function throw a KeyError when I iterate over the dict?')).toBe('code');
    expect(topic('Plan a 3-day itinerary in Lisbon with cheap flights')).toBe('travel');
    expect(scan('hello there').topic).toBe(-1);
  });
});

describe('elicitsReasoning', () => {
  it('catches the usual chain-of-thought requests', () => {
    for (const p of ["Let's think step by step.", 'Show your full chain of thought, then answer.', 'Explain your reasoning before the final answer.', 'Show all of your work.', 'Think it through carefully.']) {
      expect(elicitsReasoning(p), p).toBe(true);
    }
  });

  it('ignores ordinary prompts (and, by design, paraphrases without the keywords)', () => {
    for (const p of ['Write a haiku about autumn.', 'Classify this review as positive or negative.', 'Walk me through how you would approach this.']) {
      expect(elicitsReasoning(p), p).toBe(false);
    }
  });
});
