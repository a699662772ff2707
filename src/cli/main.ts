import { CordonError, errorMessage } from '../errors.js';
import { processIO, type Command, type CommandIO } from './command.js';
import { commands } from './commands/index.js';
import { closest } from './suggest.js';
import { setGrpcLogVerbose } from '../federation/grpc/grpc-log.js';

/** The one option every command takes: libraries' own log lines on stderr (grpc-js's), which are otherwise dropped. */
const VERBOSE = '--verbose';

const USAGE = `cordon: cross-provider threat sharing against model distillation

Usage: cordon <command> [options] [--verbose]     (cordon <command> --help for each;
       --verbose also shows the gRPC library's own log lines)

Commands:`;

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first, so `consortium create` wins over a bare `consortium`.
  for (let words = Math.min(3, argv.length); words > 0; words--) {
    const name = argv.slice(0, words).join(' ');
    const command = commands.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

/** Error codes that mean the user's input (arguments, configuration) was wrong: exit 2 (README, Errors). */
const BAD_INPUT: ReadonlySet<string> = new Set(['INVALID_INPUT', 'INVALID_CONFIG']);

/** One line for words that name no command: the group's subcommands, or the command meant. */
function unknownCommand(argv: string[]): string {
  const group = commands.filter((c) => c.name.startsWith(argv[0] + ' '));
  if (group.length > 0) {
    const subcommands = group.map((c) => c.name.split(' ').slice(1).join(' '));
    const typed = argv[1];
    if (typed === undefined || typed.startsWith('-')) return `cordon ${argv[0]}: needs a subcommand: ${subcommands.join(', ')}`;
    const guess = closest(typed, subcommands);
    return `cordon ${argv[0]}: unknown subcommand '${typed}'${guess ? `; did you mean cordon ${argv[0]} ${guess}?` : ''} (subcommands: ${subcommands.join(', ')})`;
  }
  const guess = closest(argv[0]!, [...new Set(commands.map((c) => c.name.split(' ')[0]!))]);
  return `cordon: unknown command '${argv[0]}'${guess ? `; did you mean cordon ${guess}?` : ''} (cordon --help lists them)`;
}

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [USAGE, ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)].join('\n');
}

export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  setGrpcLogVerbose(argv.includes(VERBOSE));
  argv = argv.filter((a) => a !== VERBOSE);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(usage());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(unknownCommand(argv));
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.out(found.command.help.trim());
    return 0;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (err) {
    // One clear line: what went wrong and where. Stack traces only on request.
    io.err(`cordon ${found.command.name}: ${errorMessage(err).replace(new RegExp(`^cordon ${found.command.name}: `), '')}`);
    if (process.env.CORDON_DEBUG) io.err(String((err as Error)?.stack));
    return err instanceof CordonError && BAD_INPUT.has(err.code) ? 2 : 1;
  }
}
