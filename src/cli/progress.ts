import { CordonError } from '../errors.js';
import type { CommandIO } from './command.js';

/**
 * Progress of a long operation (simulate, detect, publish, rotate, psi, audit
 * fsck), one reporter for all of them. Contract:
 *  - on a terminal, a one-line bar redrawn in place on stderr and erased at
 *    the end;
 *  - otherwise (logs, pipes), a plain line on stderr every interval:
 *    count, rate, and — when the total is known — share and time left;
 *  - nothing at all with --quiet or --json, so stdout stays clean JSON and a
 *    script's stderr holds only errors;
 *  - nothing on runs shorter than one interval: the first line comes one
 *    interval after the start.
 */

/** Environment variable overriding the interval between progress lines, in milliseconds (tests set it low). */
export const PROGRESS_MS_ENV = 'CORDON_PROGRESS_MS';
/**
 * 5 s between lines: a longer silence reads as a hang (a 2M-line simulate
 * used to say nothing for 35 s), and a ten-minute run still writes only
 * ~120 lines into a log.
 */
export const DEFAULT_PROGRESS_MS = 5_000;
/** A terminal bar is redrawn at most this often: smooth to the eye, cheap to draw. */
const REDRAW_MS = 200;
const BAR_WIDTH = 30;

/** The options every long-running command takes for its progress display. */
export const QUIET_OPTION = { quiet: { type: 'boolean' } } as const;
/** Help text for them: --quiet, and that --json is silent too. */
export const QUIET_HELP = `  --quiet           no progress on stderr (--json implies it)`;

export interface Progress {
  /** `done` units so far; `note` is appended to the line (e.g. a line count beside bytes). */
  update(done: number, note?: string): void;
  /** Sets the total once it becomes known (e.g. a peer's set size). */
  setTotal(total: number): void;
  /** Ends the display: a bar is erased; nothing more is printed. */
  end(): void;
}

export interface ProgressSpec {
  /** First word of each line, e.g. the command's name. */
  readonly label: string;
  /** What `done` counts, plural: 'lines', 'batches'; 'bytes' is shown as kB/MB/GB. */
  readonly unit: string;
  /** Units in all, when known: gives the share and the time left. */
  total?: number;
}

const SILENT: Progress = { update: () => undefined, setTotal: () => undefined, end: () => undefined };

/** The interval from CORDON_PROGRESS_MS, or the default; a bad value is bad input, named. */
export function progressInterval(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[PROGRESS_MS_ENV];
  if (raw === undefined || raw === '') return DEFAULT_PROGRESS_MS;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms < 1) throw new CordonError('INVALID_INPUT', `${PROGRESS_MS_ENV} must be a whole number of milliseconds ≥ 1, got '${raw}'`);
  return ms;
}

/** A reporter for one operation, silent when the command was given --quiet or --json. */
export function startProgress(io: CommandIO, values: { quiet?: boolean | undefined; json?: boolean | undefined }, spec: ProgressSpec): Progress {
  if (values.quiet || values.json) return SILENT;
  const interval = progressInterval();
  const mutable = { ...spec };
  const shown = io.interactive ? barProgress(mutable) : lineProgress(io, mutable, interval);
  return { ...shown, setTotal: (total) => void (mutable.total = total) };
}

function lineProgress(io: CommandIO, spec: ProgressSpec, interval: number): Omit<Progress, 'setTotal'> {
  const started = Date.now();
  let last = started;
  return {
    update(done, note) {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      io.err(progressLine(spec, done, (now - started) / 1000, note));
    },
    end: () => undefined,
  };
}

function barProgress(spec: ProgressSpec): Omit<Progress, 'setTotal'> {
  const started = Date.now();
  let lastDraw = 0;
  let width = 0;
  const write = (text: string): void => void process.stderr.write(text);
  return {
    update(done, note) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      const filled = spec.total ? Math.round(share(done, spec.total) * BAR_WIDTH) : 0;
      const bar = spec.total ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
      const text = `${spec.label} ${bar}${progressLine(spec, done, (now - started) / 1000, note).slice(spec.label.length + 2)}`;
      width = Math.max(width, text.length);
      write(`\r${text.padEnd(width)}`);
    },
    end() {
      if (width > 0) write(`\r${' '.repeat(width)}\r`);
      width = 0;
    },
  };
}

const share = (done: number, total: number): number => (total > 0 ? Math.min(1, done / total) : 0);

/** `simulate: 412k of 2.0M lines (21%), 58k lines/s, about 27 s left` */
export function progressLine(spec: ProgressSpec, done: number, seconds: number, note?: string): string {
  const amount = (n: number): string => (spec.unit === 'bytes' ? formatBytes(n) : formatCount(n));
  const unit = spec.unit === 'bytes' ? '' : ` ${spec.unit}`;
  const rate = seconds > 0 ? done / seconds : 0;
  const parts = [spec.total !== undefined
    ? `${amount(done)} of ${amount(spec.total)}${unit} (${Math.round(share(done, spec.total) * 100)}%)`
    : `${amount(done)}${unit}`];
  parts.push(`${amount(Math.round(rate))}${spec.unit === 'bytes' ? '' : ` ${spec.unit}`}/s`);
  if (spec.total !== undefined && rate > 0) parts.push(`about ${formatSeconds(Math.max(0, spec.total - done) / rate)} left`);
  return `${spec.label}: ${parts.join(', ')}${note ? `; ${note}` : ''}`;
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${Math.round(n / (1 << 10))} kB`;
  return `${n} B`;
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
