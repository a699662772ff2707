import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CordonError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';

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

/**
 * Parses a subcommand's arguments strictly: an unknown option is an error
 * naming the option and the command, never silently ignored.
 */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `cordon ${command}: ${(err as Error).message.replace(/^.*?: /, '')} (see cordon ${command} --help)`);
  }
}

/** The node a command acts for: --node DIR, else $CORDON_NODE, else the current directory. */
export function loadNodeConfig(values: { node?: string | boolean | undefined }): Promise<ResolvedConfig> {
  return loadConfig(typeof values.node === 'string' ? values.node : process.env.CORDON_NODE ?? '.');
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
