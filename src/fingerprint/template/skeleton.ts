/**
 * The skeleton of a prompt: what is left once everything that varies between
 * uses of one template is masked. Two prompts built from the same template
 * with different payloads have the same (or a nearly the same) skeleton, which
 * is what the template miner counts and the keyed MinHash signs.
 *
 * Pure: no I/O, no state; the same input gives the same skeleton at every
 * provider, which is what lets two providers' signatures match.
 */

/** Placeholders a skeleton may contain. Lower case, so case folding leaves them intact. */
export const PLACEHOLDER = {
  number: '<num>',
  url: '<url>',
  email: '<email>',
  code: '<code>',
  quote: '<quote>',
  /** The variable payload of a template (a question, an article, a text to rewrite). */
  payload: '<*>',
} as const;

/**
 * Only the head of a prompt is skeletonised: bounded CPU per prompt (prompts may
 * be 100k characters), and the template part of a distillation prompt sits at
 * its start. 16k characters is far beyond any instruction preamble.
 */
export const MAX_PROMPT_CHARS = 16_384;

/**
 * A `label: value` line collapses its value into the payload placeholder only
 * when the label is short: labels are names ("Question", "Text to translate",
 * "Summarise the following article"), and a colon further into a line is
 * more likely punctuation inside the template's own prose.
 */
export const MAX_LABEL_CHARS = 60;

// Fenced code runs to its closing fence, or to the end of the prompt when unclosed.
const FENCED_CODE = /(```|~~~)[\s\S]*?(?:\1|$)/g;
const INLINE_CODE = /`[^`\n]+`/g;
// <tag>…</tag> blocks (a common way to delimit a payload) keep their tags and lose their content.
const TAGGED_BLOCK = /<([A-Za-z][\w-]{0,30})>[\s\S]*?<\/\1>/g;
// Trailing sentence punctuation is not part of a URL.
const URL = /\b(?:[a-z][a-z0-9+.-]{1,15}:\/\/|www\.)[^\s<>"'`)\]}]*[^\s<>"'`)\]}.,;:!?]/gi;
// Starts only where a local part starts, so a long run before a stray '@' is linear.
const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// Straight double quotes and typographic quotes pair unambiguously; a straight
// single quote opens a span only after a boundary and closes before one, so
// apostrophes ("don't", "students'") are left alone.
const QUOTED = /"[^"]*"|“[^”]*”|‘[^’\n]*’|«[^»]*»|(?<=^|[\s(\[{:=,])'[^'\n]+'(?=$|[\s.,;:!?)\]}])/g;
// A number with its internal separators (3.14, 1,000, 2024-01-31, 10:30) and
// any letters glued to it (v2, 10px, 0x1f, hash ids): all vary between uses.
// Matching starts only at a word's first character, so a long run of letters
// costs linear, not quadratic, time.
const NUMBER = /(?<![\p{L}\p{Nd}_])[\p{L}_]*\p{Nd}(?:[\p{L}\p{Nd}_]|[.,:/-](?=\p{Nd}))*/gu;
// "Label:" ending a line, then (after optional blank lines) the paragraph it introduces.
const INTRODUCED_BLOCK = /:[ \t]*\n(?:[ \t]*\n)*(?:[ \t]*\S[^\n]*(?:\n|$))+/g;
// "Label: value" on one line.
const LABELLED_VALUE = /^([ \t]*[^\s:<>][^:\n]*):[ \t]+\S[^\n]*$/gm;
const PLACEHOLDER_ALT = '<(?:num|url|email|code|quote|\\*)>';
// Two or more placeholders separated only by spaces and joining punctuation
// ("3 + 4", "a, b; c") are one payload. Brackets and quotes are structure, not joins.
const PLACEHOLDER_RUN = new RegExp(`${PLACEHOLDER_ALT}(?:[\\s,;:.+*/=&|-]*${PLACEHOLDER_ALT})+`, 'gu');
const WHITESPACE = /\s+/g;
const QUOTE_CHAR = /["“‘«']/;
const DIGIT = /\p{Nd}/u;
const NON_ASCII = /[^\x00-\x7f]/;

const pad = (placeholder: string): string => ` ${placeholder} `;

/**
 * Reduces a prompt to its skeleton:
 * 1. NFKC (full-width and compatibility forms read alike);
 * 2. masks code (fenced, inline), tagged blocks, URLs, emails, quoted spans and numbers;
 * 3. case-folds;
 * 4. collapses the payload: the value of a short `label: value` line, the
 *    paragraph a line ending in `:` introduces, and any run of adjacent
 *    placeholders each become one `<*>`;
 * 5. collapses whitespace to single spaces.
 * Payloads with no delimiter at all are left to the miner, which learns them
 * as the positions that vary between prompts of one template.
 */
export function skeleton(prompt: string): string {
  let s = prompt.length > MAX_PROMPT_CHARS ? prompt.slice(0, MAX_PROMPT_CHARS) : prompt;
  if (NON_ASCII.test(s)) s = s.normalize('NFKC');
  // Each pass is guarded by a cheap test for its trigger character: most
  // prompts have no code, URLs or emails, and this runs ≥ 30,000 times a second.
  if (s.includes('`') || s.includes('~~~')) {
    s = s.replace(FENCED_CODE, pad(PLACEHOLDER.code)).replace(INLINE_CODE, pad(PLACEHOLDER.code));
  }
  if (s.includes('</')) s = s.replace(TAGGED_BLOCK, (_m, tag: string) => ` <${tag}>${PLACEHOLDER.payload}</${tag}> `);
  if (s.includes('://') || s.includes('www.')) s = s.replace(URL, pad(PLACEHOLDER.url));
  if (s.includes('@')) s = s.replace(EMAIL, pad(PLACEHOLDER.email));
  if (QUOTE_CHAR.test(s)) s = s.replace(QUOTED, pad(PLACEHOLDER.quote));
  if (DIGIT.test(s)) s = s.replace(NUMBER, pad(PLACEHOLDER.number));
  s = s.toLowerCase();
  if (s.includes(':')) {
    s = s.replace(INTRODUCED_BLOCK, `:\n${PLACEHOLDER.payload}\n`);
    s = s.replace(LABELLED_VALUE, (line: string, label: string) =>
      label.trim().length <= MAX_LABEL_CHARS ? `${label}: ${PLACEHOLDER.payload}` : line,
    );
  }
  s = s.replace(WHITESPACE, ' ').trim();
  s = s.replace(PLACEHOLDER_RUN, PLACEHOLDER.payload);
  return s;
}

const PLACEHOLDERS: ReadonlySet<string> = new Set(Object.values(PLACEHOLDER));

/** True when a skeleton token is a placeholder rather than template text. */
export function isPlaceholder(token: string): boolean {
  return PLACEHOLDERS.has(token);
}
