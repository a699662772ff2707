/**
 * A deterministic generator of template-shaped prompts: many templates, each
 * filled with fresh payloads and perturbed by a few word edits, the way a
 * distillation campaign reuses its prompts. Shared by the unit tests, the
 * `templates` benchmark and simulations, so they all measure the same thing.
 * Pure: the seed fixes every output.
 */

/** mulberry32: a small seeded PRNG, uniform on [0, 1). Not for secrets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Common English words: templates drawn from one vocabulary share function
// words, as real instructions do, so unrelated templates are not trivially apart.
const WORDS = (
  'the of and to in is you that it for on are as with be this have from or one by not what all we when your can ' +
  'there use an each which do how their if will up other about out many then them these so some would make like ' +
  'into time has look two more write go see number no way could people than first water been call who its now find ' +
  'long down day did get come made may part answer question explain step detail reason brief careful clear list ' +
  'summary summarize translate rewrite classify extract describe compare analyze evaluate generate solve prove ' +
  'compute derive assistant expert helpful tutor teacher student model response output format json table markdown ' +
  'english french german spanish concise formal friendly tone style short paragraph sentence word words text article ' +
  'story poem code function program bug error test case example examples chain thought final boxed only please must ' +
  'should never always include avoid respond reply given following above below provided context task instructions ' +
  'problem math physics chemistry biology history law medical legal financial review essay email letter report'
).split(' ');

// Payload words come from a disjoint, larger synthetic vocabulary (consonant-
// vowel syllables), so payloads never look like template text.
const SYLLABLES = 'ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu'.split(' ');

// Boilerplate that many unrelated templates open with, as real prompts do
// ("You are a helpful assistant."): it makes pairs of different templates
// that share a good part of their text, the hard negatives of a matcher.
const PREAMBLES = [
  'you are a helpful assistant',
  'you are an expert tutor who explains every step',
  'act as a careful senior reviewer and answer in english',
  'you are a world class model that always follows the instructions below',
  'read the task below carefully before you respond',
];
/** Share of templates that open with one of the PREAMBLES. */
const PREAMBLE_SHARE = 0.5;

/** How a template embeds its payload: the delimiters real prompts use, and none at all. */
export const SLOT_STYLES = ['label', 'block', 'quoted', 'tagged', 'fenced', 'inline'] as const;
export type SlotStyle = (typeof SLOT_STYLES)[number];

export interface SyntheticTemplate {
  readonly id: number;
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly style: SlotStyle;
  readonly label: string;
}

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: () => number, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

function words(rng: () => number, count: number): string[] {
  return Array.from({ length: count }, () => pick(rng, WORDS));
}

function payloadWord(rng: () => number): string {
  let w = '';
  for (let i = int(rng, 1, 3); i > 0; i--) w += pick(rng, SYLLABLES);
  return w;
}

/** Options for the size of templates and payloads; the defaults give ~200-character prompts. */
export interface SyntheticShape {
  /** Template words before the payload. */
  readonly before: readonly [number, number];
  /** Template words after the payload. */
  readonly after: readonly [number, number];
  /** Payload words. */
  readonly payload: readonly [number, number];
}

export const DEFAULT_SHAPE: SyntheticShape = { before: [8, 18], after: [0, 10], payload: [4, 20] };

/** Generates `count` templates from one seed. Template ids are 0..count−1. */
export function syntheticTemplates(seed: number, count: number, shape: SyntheticShape = DEFAULT_SHAPE): SyntheticTemplate[] {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, (_, id) => ({
    id,
    before: [
      ...(rng() < PREAMBLE_SHARE ? `${pick(rng, PREAMBLES)}.`.split(' ') : []),
      ...words(rng, int(rng, shape.before[0], shape.before[1])),
    ],
    after: words(rng, int(rng, shape.after[0], shape.after[1])),
    style: pick(rng, SLOT_STYLES),
    label: pick(rng, ['question', 'text', 'input', 'problem', 'article', 'passage']),
  }));
}

/** Applies `edits` random word edits (substitute, insert or delete) to a word list. */
export function editWords(rng: () => number, list: readonly string[], edits: number): string[] {
  const out = [...list];
  for (let e = 0; e < edits; e++) {
    const op = rng();
    const at = Math.floor(rng() * (out.length + 1));
    if (op < 0.4 && out.length > 0) out[Math.min(at, out.length - 1)] = pick(rng, WORDS);
    else if (op < 0.7 || out.length < 2) out.splice(at, 0, pick(rng, WORDS));
    else out.splice(Math.min(at, out.length - 1), 1);
  }
  return out;
}

/**
 * One prompt from a template: a fresh payload (with a number in it now and
 * then, as real payloads have), the template's words after `edits` edits.
 */
export function renderPrompt(rng: () => number, template: SyntheticTemplate, edits = 0, shape: SyntheticShape = DEFAULT_SHAPE): string {
  const payloadWords = Array.from({ length: int(rng, shape.payload[0], shape.payload[1]) }, () => payloadWord(rng));
  if (rng() < 0.3) payloadWords.splice(int(rng, 0, payloadWords.length), 0, String(int(rng, 1, 99_999)));
  const payload = payloadWords.join(' ');
  // Edits fall on the template text, before or after the payload in proportion to its length.
  let editsBefore = 0;
  const total = template.before.length + template.after.length;
  for (let e = 0; e < edits; e++) if (rng() * total < template.before.length) editsBefore++;
  const before = editWords(rng, template.before, editsBefore).join(' ');
  const after = editWords(rng, template.after, edits - editsBefore).join(' ');
  const capitalised = before.charAt(0).toUpperCase() + before.slice(1);
  let body: string;
  switch (template.style) {
    case 'label':
      body = `${capitalised}.\n${template.label}: ${payload}`;
      break;
    case 'block':
      body = `${capitalised}:\n\n${payload}`;
      break;
    case 'quoted':
      body = `${capitalised} "${payload}"`;
      break;
    case 'tagged':
      body = `${capitalised}\n<${template.label}>${payload}</${template.label}>`;
      break;
    case 'fenced':
      body = `${capitalised}\n\`\`\`\n${payload}\n\`\`\``;
      break;
    case 'inline':
      // No delimiter: the payload is plain text inside the prompt; only the
      // miner can tell it from the template.
      body = `${capitalised} ${payload}`;
      break;
  }
  return after ? `${body}\n\n${after.charAt(0).toUpperCase()}${after.slice(1)}.` : body;
}
