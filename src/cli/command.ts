import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CordonError } from '../errors.js';
import { configPathOf, loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { closest } from './suggest.js';

/**
 * One subcommand of `cordon`. Each lives in its own file under commands/ and
 * is listed once in commands/index.ts.
 */
export interface Command {
  /** Words after `cordon`, e.g. `consortium create` or `publish`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage line, options, an example. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal, so progress bars may be drawn. */
  readonly interactive: boolean;
}

export const processIO: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: Boolean(process.stderr.isTTY),
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options people type for another one: `--dir` names a node's directory in `cordon init`, `--node` everywhere after. */
const OPTION_SYNONYMS: Readonly<Record<string, string>> = { dir: 'node' };

/** The option a parseArgs error names ('--node' of "Option '--node <value>' argument missing"), without its dashes. */
function optionNamed(message: string): string | undefined {
  return /'(?:-\w, )?--?([\w-]+)/.exec(message)?.[1];
}

/**
 * parseArgs' error as one line of our own: which option or argument, and the
 * fix. Its own messages span a sentence of advice with unbalanced quotes, and
 * say nothing of what the user may have meant.
 */
function argumentError(command: string, err: NodeJS.ErrnoException, options: Options): CordonError {
  const help = `see cordon ${command} --help`;
  const name = optionNamed(err.message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const typed = /Unknown option '([^']+)'/.exec(err.message)?.[1] ?? `--${name ?? '?'}`;
      const known = Object.keys(options).filter((o) => o !== 'help');
      const synonym = name ? OPTION_SYNONYMS[name] : undefined;
      const guess = typed.startsWith('--') && name ? (synonym && known.includes(synonym) ? synonym : closest(name, known)) : undefined;
      return new CordonError('INVALID_INPUT', `cordon ${command}: unknown option ${typed}${guess ? `; did you mean --${guess}?` : ''} (${help})`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new CordonError('INVALID_INPUT', name && options[name]?.type === 'boolean'
        ? `cordon ${command}: --${name} takes no value (${help})`
        : `cordon ${command}: --${name ?? '?'} needs a value (${help})`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /Unexpected argument '([^']*)'/.exec(err.message)?.[1] ?? '?';
      return new CordonError('INVALID_INPUT', `cordon ${command}: unexpected argument '${arg}': this command takes options only (${help})`);
    }
    default:
      return new CordonError('INVALID_INPUT', `cordon ${command}: ${err.message.split('\n')[0]} (${help})`);
  }
}

/**
 * Parses a subcommand's arguments strictly: an unknown option is an error
 * naming the option and the command (and the option meant, when it looks
 * like a typo of one), never silently ignored. Errors are one line (README,
 * Errors).
 */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw argumentError(command, err as NodeJS.ErrnoException, options);
  }
}

/**
 * The node directory (or config file) a command acts for: --node DIR, else
 * $CORDON_NODE, else the current directory. One that does not exist, or
 * holds no node, is bad input (exit 2) named by where it came from.
 */
export function nodeArgument(values: { node?: string | boolean | undefined }, flag = '--node'): string {
  const given = typeof values.node === 'string' ? { path: values.node, from: `${flag} ${values.node}` }
    : process.env.CORDON_NODE ? { path: process.env.CORDON_NODE, from: `CORDON_NODE=${process.env.CORDON_NODE}` }
    : { path: '.', from: `the current directory (${process.cwd()})` };
  const configPath = configPathOf(given.path);
  if (existsSync(configPath)) return given.path;
  const dir = dirname(configPath);
  const fix = `create a node with cordon init --dir ${dir}, or name a node's directory with --node DIR`;
  if (!existsSync(dir)) throw new CordonError('INVALID_INPUT', `${given.from}: no such directory (${fix})`);
  throw new CordonError('INVALID_INPUT', `${given.from}: holds no node (no ${basename(configPath)}; ${fix})`);
}

/** The configuration of the node a command acts for (nodeArgument). */
export function loadNodeConfig(values: { node?: string | boolean | undefined }, flag = '--node'): Promise<ResolvedConfig> {
  return loadConfig(nodeArgument(values, flag));
}

/** Reads a required string option or fails naming it. */
export function requireOption(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new CordonError('INVALID_INPUT', `cordon ${command}: --${name} is required (see cordon ${command} --help)`);
  }
  return value;
}

/** Parses a positive integer option or fails naming it. */
export function integerOption(command: string, values: Record<string, unknown>, name: string, fallback: number, min = 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new CordonError('INVALID_INPUT', `cordon ${command}: --${name} must be a whole number ≥ ${min}, got '${String(raw)}'`);
  }
  return n;
}
