import { rm } from 'node:fs/promises';
import { runDemo } from '../../demo/run-demo.js';
import { integerOption, parseCommandArgs, type Command } from '../command.js';

export const demo: Command = {
  name: 'demo',
  summary: 'run a whole federation on this machine and narrate what it does',
  help: `Usage: cordon demo [--records N] [--dir DIR] [--exit]

Starts two consortium nodes, two providers and a regulator on loopback, each with its own
embedded PostgreSQL; publishes signed batches, replicates them, and shows a tampered batch
and a regulator's write being refused. Then keeps the nodes running until Ctrl-C.

Options:
  --records N   records provider-a publishes (provider-b publishes half) (default 20000)
  --dir DIR     where to create the nodes (default: a new directory under the system temp dir)
  --exit        stop everything and exit after the summary`,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, { records: { type: 'string' }, dir: { type: 'string' }, exit: { type: 'boolean' } }, false);
    const records = integerOption('demo', values, 'records', 20_000, 1);
    const { summary, root, stop } = await runDemo({ records, exit: Boolean(values.exit), say: io.out, ...(values.dir ? { dir: values.dir } : {}) });
    io.out('\nSummary:');
    io.out(JSON.stringify(summary, null, 2));
    if (values.exit) {
      await stop();
      if (!values.dir) await rm(root, { recursive: true, force: true });
      return 0;
    }
    io.out('\nNodes keep running; Ctrl-C stops them.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await stop();
    return 0;
  },
};
