import { CordonError } from '../../errors.js';
import { loadSuspects, loadTruth } from '../../detect/evaluate/load.js';
import { evaluate } from '../../detect/evaluate/metrics.js';
import { formatEvaluation } from '../../detect/evaluate/table.js';
import { parseCommandArgs, requireOption, type Command } from '../command.js';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'score a suspects file against simulator ground truth',
  help: `Usage: cordon evaluate --truth FILE SUSPECTS [--json]

Compares SUSPECTS (the output of cordon detect) with the ground truth of cordon simulate and
prints precision, recall and F1 at account level and at cluster level, the false-positive rate
of every benign population, and what was found of every campaign.

Account level: a flagged campaign account is a true positive, a flagged benign one a false
positive. Cluster level: a predicted cluster (suspects sharing a cluster id) of two or more
accounts is correct when most of it is one campaign; a campaign is recovered when one cluster
dominated by it holds at least half of its accounts (across providers when it spans several).

Options:
  --truth FILE   ground-truth.jsonl written by cordon simulate          required
  --json         print the evaluation as JSON instead of tables

Example:
  cordon evaluate --truth sim/ground-truth.jsonl suspects.jsonl`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('evaluate', argv, { truth: { type: 'string' }, json: { type: 'boolean' } });
    const truthFile = requireOption('evaluate', values, 'truth');
    if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', 'cordon evaluate: needs exactly one SUSPECTS file (see cordon evaluate --help)');
    const [truth, suspects] = await Promise.all([loadTruth(truthFile), loadSuspects(positionals[0] as string)]);
    const result = evaluate(truth, suspects);
    io.out(values.json ? JSON.stringify(result, null, 2) : formatEvaluation(result));
    return 0;
  },
};
