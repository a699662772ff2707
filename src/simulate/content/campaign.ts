import { mix32, type Rng } from '../prng.js';
import { casualSource, tokensOf, type PromptSource } from './benign.js';
import { problem, SUBJECTS, TOPICS, type Topic } from './topics.js';

/**
 * Prompt makers for distillation campaigns. A campaign draws its wording
 * from a fixed set of template variants (one at stealth 0, dozens when it
 * paraphrases to dodge template matching), asks for reasoning traces in
 * words a keyword list catches or — at higher stealth — in words it does not,
 * and may hide among ordinary-looking cover requests.
 */

const PERSONAS = ['', 'You are a world-class expert tutor. ', 'Act as a meticulous professor. ', 'You are an expert problem solver. ', 'As a careful domain specialist, ', 'Respond as an experienced teaching assistant. ', 'You are helping us build study material. ', 'Pretend you are sitting an oral exam. '];
const INSTRUCTIONS = ['Solve the following problem.', 'Work through this question.', 'Answer the question below.', 'Consider this task carefully.', 'Here is a problem for you.', 'Tackle the following.', 'Please handle this item.'];
/** Phrasings that a chain-of-thought keyword list is expected to catch. */
const COT_EXPLICIT = [
  'Think step by step and show all of your reasoning before giving the final answer.',
  'Show your full chain of thought, then state the answer.',
  'Explain your reasoning step by step, including every intermediate result.',
  'Reason through it carefully and show every step.',
  "Let's think step by step.",
  'Write out your complete reasoning process before the answer.',
  'Show your work in detail, then give the final answer.',
];
/** Phrasings that elicit the same traces without the usual keywords. */
const COT_SUBTLE = [
  "Walk me through how you'd approach this, including anything you would check along the way.",
  'Before the answer, lay out each inference you make, in order.',
  'Narrate what you consider at each stage, then conclude.',
  'Be exhaustive about how you get there; the path matters more than the result.',
];

const SWEEP_OPENERS = ['Write a comprehensive, expert-level explanation of', 'Produce a thorough textbook-style treatment of', 'Give an exhaustive tutorial on', 'Create detailed reference notes about', 'Teach me everything important about', 'Draft a graduate-level primer on'];
const SWEEP_CLOSERS = ['Cover definitions, key results, worked examples and common misconceptions.', 'Include derivations, edge cases and at least two worked examples.', 'Structure it with sections, examples and a summary.', 'Go deep: history, theory, practice, open problems.'];

export interface ExtractionStyle {
  /** Campaign identity: fixes which template variants it uses, across providers. */
  readonly campaignKey: number;
  /** How many wording variants the campaign rotates through (1 = a single template). */
  readonly variants: number;
  /** Share of reasoning requests phrased without the usual chain-of-thought keywords. */
  readonly subtleShare: number;
  /** Share of ordinary-looking cover requests mixed in. */
  readonly coverShare: number;
  /** 'reasoning': problems from a few capabilities; 'sweep': every topic, systematically. */
  readonly mode: 'reasoning' | 'sweep';
  /** The capabilities a reasoning campaign targets. */
  readonly topics: readonly Topic[];
}

/** The i-th wording variant of a campaign: a persona, an instruction and a reasoning request. */
function variant(style: ExtractionStyle, rng: Rng): { persona: string; instruction: string; cot: string } {
  const v = rng.int(0, style.variants - 1);
  const h = mix32(style.campaignKey, v, 0x7a7);
  const subtle = (h >>> 20) % 1000 < style.subtleShare * 1000;
  return {
    persona: PERSONAS[h % PERSONAS.length] as string,
    instruction: INSTRUCTIONS[(h >>> 5) % INSTRUCTIONS.length] as string,
    cot: subtle ? (COT_SUBTLE[(h >>> 10) % COT_SUBTLE.length] as string) : (COT_EXPLICIT[(h >>> 10) % COT_EXPLICIT.length] as string),
  };
}

export function extractionSource(style: ExtractionStyle): PromptSource {
  const cover = casualSource();
  let sweepStep = mix32(style.campaignKey, 0x5eed) % 1000;
  return {
    next(rng, ctx) {
      if (style.coverShare > 0 && rng.chance(style.coverShare)) return cover.next(rng, ctx);
      const w = variant(style, rng);
      if (style.mode === 'sweep') {
        // Walk the taxonomy in order, so coverage is even across topics: the signature of a sweep.
        sweepStep++;
        const topic = TOPICS[sweepStep % TOPICS.length] as Topic;
        const subject = SUBJECTS[topic][Math.floor(sweepStep / TOPICS.length) % SUBJECTS[topic].length] as string;
        const h = mix32(style.campaignKey, rng.int(0, style.variants - 1), 0x5e);
        const prompt = `${w.persona}${SWEEP_OPENERS[h % SWEEP_OPENERS.length]} ${subject} (${topic}). ${SWEEP_CLOSERS[(h >>> 4) % SWEEP_CLOSERS.length]}${rng.chance(0.4) ? ' ' + w.cot : ''}`;
        return { prompt, inTokens: tokensOf(prompt), outTokens: Math.round(rng.lognormal(1300, 0.4)) };
      }
      const prompt = `${w.persona}${w.instruction} ${problem(rng, rng.pick(style.topics))} ${w.cot}`;
      return { prompt, inTokens: tokensOf(prompt), outTokens: Math.round(rng.lognormal(1500, 0.45)) };
    },
  };
}
