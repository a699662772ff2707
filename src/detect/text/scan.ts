import { TOPIC_COUNT, topicOfWord, WORD_SEED, wordHashEnd, wordHashStep } from './topics.js';

/**
 * One pass over a prompt that yields everything the per-account sketches need:
 * - `content`: hash of the whole prompt (case-folded), for counting distinct prompts;
 * - `prefix` / `suffix`: hashes of the first / last SKELETON_CHARS characters
 *   with digits masked — a cheap template skeleton, since templates fix their
 *   opening instruction or their closing request and vary the payload between;
 * - `topic`: the most frequent lexicon topic among the words, or -1.
 * Results go into a reused object: this runs once per log line.
 */
export const SKELETON_CHARS = 40;
/** Topic words past this point add little and cost time on long prompts. */
const TOPIC_SCAN_CHARS = 400;

export interface PromptScan {
  content: number;
  prefix: number;
  suffix: number;
  topic: number;
}

const votes = new Int32Array(TOPIC_COUNT);

export function scanPrompt(prompt: string, out: PromptScan): PromptScan {
  const len = prompt.length;
  let content = 0x811c9dc5 | 0;
  let prefix = 0x12345 | 0;
  let kept = 0;
  let lastWasSpace = true;
  let word = WORD_SEED;
  let wordLen = 0;
  votes.fill(0);
  let best = -1;
  let bestVotes = 0;
  for (let i = 0; i < len; i++) {
    let c = prompt.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32; // ASCII case folding is all templates and keywords need
    content = Math.imul(content ^ c, 0x01000193);
    const letter = c >= 97 && c <= 122;
    if (kept < SKELETON_CHARS) {
      // Skeleton char: letters as they are, every digit the same, other ASCII as one
      // space (runs collapse, so spacing and punctuation do not split templates).
      const f = letter ? c : c >= 48 && c <= 57 ? 48 : c > 127 ? c : 32;
      const space = f === 32;
      if (!(space && lastWasSpace)) {
        prefix = Math.imul(prefix ^ f, 0x5bd1e995);
        kept++;
      }
      lastWasSpace = space;
    }
    if (letter) {
      word = wordHashStep(word, c);
      wordLen++;
    } else if (wordLen > 0) {
      if (wordLen >= 3) {
        const t = topicOfWord(wordHashEnd(word, wordLen));
        if (t >= 0) {
          const v = (votes[t] as number) + 1;
          votes[t] = v;
          if (v > bestVotes) {
            bestVotes = v;
            best = t;
          }
        }
      }
      word = WORD_SEED;
      wordLen = 0;
    } else if (i >= TOPIC_SCAN_CHARS && kept >= SKELETON_CHARS) {
      // Past the topic window, only the content hash needs the rest.
      for (let j = i + 1; j < len; j++) {
        const r = prompt.charCodeAt(j);
        content = Math.imul(content ^ (r >= 65 && r <= 90 ? r + 32 : r), 0x01000193);
      }
      break;
    }
  }
  if (wordLen >= 3) {
    const t = topicOfWord(wordHashEnd(word, wordLen));
    if (t >= 0 && (votes[t] as number) + 1 > bestVotes) best = t;
  }
  let suffix = 0x6789 | 0;
  let taken = 0;
  lastWasSpace = true;
  for (let i = len - 1; i >= 0 && taken < SKELETON_CHARS; i--) {
    let c = prompt.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    const f = c >= 97 && c <= 122 ? c : c >= 48 && c <= 57 ? 48 : c > 127 ? c : 32;
    const space = f === 32;
    if (!(space && lastWasSpace)) {
      suffix = Math.imul(suffix ^ f, 0x5bd1e995);
      taken++;
    }
    lastWasSpace = space;
  }
  out.content = content >>> 0;
  out.prefix = (prefix ^ (prefix >>> 15)) >>> 0;
  out.suffix = (suffix ^ (suffix >>> 15)) >>> 0;
  out.topic = best;
  return out;
}
