/** Prompt-template signatures: skeletons, the miner that finds recurring ones, and their evaluation. */
export { isPlaceholder, MAX_PROMPT_CHARS, PLACEHOLDER, skeleton } from './skeleton.js';
export {
  DEFAULT_MAX_CLUSTERS,
  DEFAULT_MERGE_THRESHOLD,
  DEFAULT_MIN_ACCOUNTS,
  DEFAULT_MIN_PROMPTS,
  MIN_LITERAL_TOKENS,
  mineTemplates,
  TemplateMiner,
  type MinedTemplate,
  type MinerOptions,
  type Observation,
  type PromptEvent,
} from './miner.js';
export { evaluateMatching, type MatchQuality } from './evaluate.js';
