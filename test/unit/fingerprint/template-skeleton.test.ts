import { describe, expect, it } from 'vitest';
import { isPlaceholder, MAX_PROMPT_CHARS, PLACEHOLDER, skeleton } from '../../../src/fingerprint/template/skeleton.js';

describe('skeleton', () => {
  const cases: Array<[what: string, prompt: string, expected: string]> = [
    // numbers
    ['integers, decimals, thousands, dates, times', 'Report 1,000 items by 2024-01-31 at 10:30 with 3.14 error.', 'report <num> items by <num> at <num> with <num> error.'],
    ['letters glued to digits are one number', 'Version v2 of gpt4 costs 10px (0x1F).', 'version <num> of <num> costs <num> ( <num> ).'],
    ['an arithmetic run is one payload', 'Solve 3 + 4.5 = x.', 'solve <*> = x.'],
    ['a sentence-final period is not part of a number', 'Ratio 3:1 and 3.14.', 'ratio <num> and <num> .'],
    // URLs and emails
    ['URLs of any scheme, and www.', 'See https://example.com/a?b=1 and www.test.org/path, then ftp://x.y', 'see <url> and <url> , then <url>'],
    ['emails, any case', 'Email alice.smith+tag@example.co.uk or BOB@EXAMPLE.COM now', 'email <email> or <email> now'],
    // code
    ['fenced code', 'Explain\n```python\nprint("hi")\n```\nbriefly', 'explain <code> briefly'],
    ['tilde fences', 'Explain\n~~~\nx = 1\n~~~\nbriefly', 'explain <code> briefly'],
    ['an unclosed fence runs to the end', 'Fix ```code that never closes', 'fix <code>'],
    ['inline code', 'Run `npm test` then `git push` now.', 'run <code> then <code> now.'],
    // quoted spans
    ['double quotes', 'Translate "Bonjour tout le monde" into English.', 'translate <quote> into english.'],
    ['single quotes, apostrophes untouched', "Rewrite 'the quick fox' formally; don't rename the students' files.", "rewrite <quote> formally; don't rename the students' files."],
    ['typographic quotes and guillemets', 'He said “hello there” to ‘bye’ and «salut» today.', 'he said <quote> to <quote> and <quote> today.'],
    ['several quoted spans joined by punctuation are one payload', 'Sort "b", "a", "c" alphabetically.', 'sort <*> alphabetically.'],
    // whitespace, case, Unicode
    ['whitespace and case', '  Lots   of\t\twhitespace \n\n and CASE  ', 'lots of whitespace and case'],
    ['NFKC: full-width forms read as ASCII', 'Ｆｕｌｌｗｉｄｔｈ ＴＥＸＴ １２３', 'fullwidth text <num>'],
    ['empty prompt', '', ''],
    // payload collapse
    ['a labelled value', 'Question: What is the capital of France?', 'question: <*>'],
    ['a labelled value after an instruction line', 'Answer in one word.\nQuestion: What is the capital of France?', 'answer in one word. question: <*>'],
    ['the paragraph a colon introduces', 'Summarize the following article:\n\nThe cat sat on the mat.\nIt was happy.\n\nKeep it under 50 words.', 'summarize the following article: <*> keep it under <num> words.'],
    ['a tagged block keeps its tags', '<document>Some long text here</document>\nSummarize the document.', '<document><*></document> summarize the document.'],
    ['a long label is prose, not a label', 'Consider the following situation in which the speaker, who is tired, says: hello', 'consider the following situation in which the speaker, who is tired, says: hello'],
    ['an undelimited payload is left to the miner', 'Explain why the sky is blue', 'explain why the sky is blue'],
  ];

  it.each(cases)('%s', (_what, prompt, expected) => {
    expect(skeleton(prompt)).toBe(expected);
  });

  it('gives one skeleton for one template with different payloads', () => {
    const a = skeleton('Translate "I love cats" into French. Reply with JSON: {"text": ...}');
    const b = skeleton('Translate "The weather is nice today, isn\'t it?" into French. Reply with JSON: {"text": ...}');
    expect(a).toBe(b);
  });

  it('masks before it collapses: a masked value cannot become a label', () => {
    expect(skeleton('Meet at 10:30 today')).toBe('meet at <num> today');
    expect(skeleton('Open https://a.example/x:y now')).toBe('open <url> now');
  });

  it('reads only the head of a very long prompt', () => {
    const long = 'word '.repeat(MAX_PROMPT_CHARS);
    expect(skeleton(long).length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
  });

  it('stays linear on adversarial input (long runs without separators)', () => {
    const started = performance.now();
    const adversarial = [
      'a'.repeat(MAX_PROMPT_CHARS),
      `${'a'.repeat(MAX_PROMPT_CHARS - 1)}@`,
      '"'.repeat(MAX_PROMPT_CHARS),
      'x:'.repeat(MAX_PROMPT_CHARS / 2),
      'a: b\n'.repeat(MAX_PROMPT_CHARS / 5),
      `${'<a>'.repeat(MAX_PROMPT_CHARS / 3)}</b>`,
      " 'a".repeat(MAX_PROMPT_CHARS / 3),
      '```'.repeat(MAX_PROMPT_CHARS / 3),
      '1.'.repeat(MAX_PROMPT_CHARS / 2),
    ];
    for (const prompt of adversarial) skeleton(prompt);
    // Each takes a few ms; a quadratic pattern would take seconds.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('knows its placeholders', () => {
    for (const p of Object.values(PLACEHOLDER)) expect(isPlaceholder(p)).toBe(true);
    expect(isPlaceholder('<document>')).toBe(false);
    expect(isPlaceholder('num')).toBe(false);
  });
});
