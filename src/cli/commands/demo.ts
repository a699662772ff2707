import { rm } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { CordonError } from '../../errors.js';
import { summaryLines } from '../../demo/demo-summary.js';
import { exploreCommands } from '../../demo/explore-commands.js';
import { runDemo } from '../../demo/run-demo.js';
import { integerOption, parseCommandArgs, type Command } from '../command.js';

export const demo: Command = {
  name: 'demo',
  summary: 'run a whole federation on this machine and narrate what it does',
  help: `Usage: cordon demo [--records N] [--accounts A] [--lines L] [--seed S] [--dir DIR | --keep DIR] [--exit] [--json]

Starts two consortium nodes, three providers and a regulator on loopback, each with its own
embedded PostgreSQL and web console, and prints each console's login URL as soon as it is up.
Simulates usage at the three providers with a planted cross-provider distillation campaign;
each provider detects suspects in its own logs and publishes only tokens and template
signatures; the consortium matches them into a campaign and alerts the providers; a provider
opens an investigation case the others answer, then files a report with the regulator; the
regulator's witness verifies both transparency logs. Prints what it measured, then keeps the
nodes and their consoles running until Ctrl-C.

Options:
  --records N   background records the providers publish between them (throughput figure)
                (default 30000)
  --accounts A  simulated accounts across the providers (default 1500)
  --lines L     simulated log lines across the providers (default 30000)
  --seed S      the simulator's seed (default 7)
  --dir DIR     where to create the nodes (default: a new directory under the system temp dir,
                removed on exit); DIR is kept
  --keep DIR    create the nodes in DIR, keep it, and print commands to explore the running
                federation (campaigns, alerts, status, console logins)
  --exit        stop everything and exit after the summary
  --json        print the summary as JSON too`,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, {
      records: { type: 'string' }, accounts: { type: 'string' }, lines: { type: 'string' }, seed: { type: 'string' },
      dir: { type: 'string' }, keep: { type: 'string' }, exit: { type: 'boolean' }, json: { type: 'boolean' },
    }, false);
    const records = integerOption('demo', values, 'records', 30_000, 3);
    const accounts = integerOption('demo', values, 'accounts', 1_500, 300);
    const lines = integerOption('demo', values, 'lines', 30_000, accounts);
    const seed = integerOption('demo', values, 'seed', 7, 0);
    if (values.dir && values.keep && resolvePath(values.dir) !== resolvePath(values.keep)) {
      throw new CordonError('INVALID_INPUT', 'demo: --dir and --keep name two directories; give one (--keep DIR also prints commands to explore it)');
    }
    // The commands printed for --keep name node directories; an absolute path works from any terminal.
    const chosen = values.keep ? resolvePath(values.keep) : values.dir;
    const kept = Boolean(chosen);
    io.out('Cordon demo: a whole federation on this machine — two consortium nodes, three providers, a regulator.');
    io.out(kept
      ? `Node directories go to ${chosen} and stay there after exit.`
      : 'Node directories are removed on exit; --keep DIR keeps them and prints commands to explore the running federation.');
    io.out('Each node\'s console login URL is printed as soon as the nodes are up (step 2).');
    const { summary, root, stop } = await runDemo({ records, accounts, lines, seed, exit: Boolean(values.exit), say: io.out, ...(chosen ? { dir: chosen } : {}) });
    io.out('\nSummary:');
    for (const l of summaryLines(summary)) io.out(`  ${l}`);
    if (values.json) io.out(JSON.stringify(summary, null, 2));
    if (values.keep) {
      io.out('');
      const explore = exploreCommands({ root, consoles: summary.consoles, provider: summary.planted_campaign.providers[0]!, campaign: summary.planted_campaign.found_as });
      if (values.exit) io.out('(--exit stops the nodes: run without --exit to use these while the federation runs.)');
      for (const l of explore) io.out(l);
    }
    if (values.exit) {
      await stop();
      if (!kept) await rm(root, { recursive: true, force: true });
      return 0;
    }
    if (!values.keep) {
      io.out('\nConsoles (the URL logs you in; the regulator\'s is read-only):');
      for (const [id, url] of Object.entries(summary.consoles)) io.out(`  ${id.padEnd(13)} ${url}`);
    }
    io.out('\nNodes keep running; Ctrl-C stops them.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await stop();
    if (!kept) await rm(root, { recursive: true, force: true });
    return 0;
  },
};
