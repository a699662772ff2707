/**
 * Chain-of-thought elicitation: prompts that ask the model to write out its
 * reasoning, which is what reasoning-trace distillation harvests. A keyword
 * list by design — transparent and fast — so it misses paraphrases that avoid
 * the usual words; other features have to carry those.
 */
export const COT_PATTERN =
  /step[- ]by[- ]step|chain[- ]of[- ]thought|show (?:all |every |your |me )*(?:of )?(?:your )?(?:work|reasoning|steps|thinking)|explain (?:your|the|all) (?:reasoning|thinking|steps)|reasoning (?:process|steps|trace)|think (?:it )?(?:through|carefully|aloud|out loud)|intermediate (?:steps|results?|reasoning)|let'?s think|full reasoning|reason (?:it )?through|thought process/i;

export function elicitsReasoning(prompt: string): boolean {
  return COT_PATTERN.test(prompt);
}
