import { toBytes, toText } from './bytes.js';
import { CsvRecords } from './csv.js';
import { LOG_COLUMNS, type LogRecord } from './record.js';
import { parseTime } from './time.js';

/**
 * Turns raw log lines into validated LogRecords. One decoder per file; it
 * fills and returns one reused record (the detector consumes it before the
 * next line), and reports bad lines as a reason string instead of throwing,
 * so one broken line never stops a run.
 */
export type LogFormat = 'jsonl' | 'csv';

/** A record with the line number and byte offset its text starts at, an error, or nothing (blank line, header, record continuing). */
export type Decoded = { record: LogRecord; line: number; offset: number } | { error: string; line: number } | undefined;

/** Chooses the format from the file name, else from the first non-blank character. */
export function detectFormat(path: string, firstLine: string): LogFormat {
  const lower = path.toLowerCase();
  if (/\.(jsonl|ndjson|json)(\.|$)/.test(lower)) return 'jsonl';
  if (/\.csv(\.|$)/.test(lower)) return 'csv';
  return firstLine.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

const MAX_ACCOUNT_CHARS = 256;
const STRING_FIELDS = ['provider', 'api_key', 'email', 'phone', 'ip', 'asn', 'payment', 'device', 'model', 'prompt'] as const;

function emptyRecord(): LogRecord {
  return { ts: 0, account: '', provider: '', created: NaN, api_key: '', email: '', phone: '', ip: '', asn: '', payment: '', device: '', model: '', prompt: '', in_tokens: 0, out_tokens: 0 };
}

/** A string field: '' when absent, the string, or INVALID. */
const INVALID = Symbol('invalid');
function text(v: unknown): string | typeof INVALID {
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? '' : INVALID;
}

function count(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : -1;
}

/**
 * Fills `rec` from a parsed line; returns an error reason or undefined.
 * Fields are read one by one (not in a loop over names) because this runs
 * for every line and monomorphic property access is what keeps it fast.
 */
function fill(rec: LogRecord, o: Record<string, unknown>): string | undefined {
  const ts = o.ts;
  if (ts === undefined || ts === null || ts === '') return "missing 'ts'";
  rec.ts = parseTime(ts);
  if (Number.isNaN(rec.ts)) return `invalid time in 'ts': ${JSON.stringify(String(ts).slice(0, 40))}`;
  const account = o.account;
  if (typeof account !== 'string' || account === '') return "missing 'account'";
  if (account.length > MAX_ACCOUNT_CHARS) return `'account' longer than ${MAX_ACCOUNT_CHARS} characters`;
  rec.account = account;
  const provider = text(o.provider);
  const apiKey = text(o.api_key);
  const email = text(o.email);
  const phone = text(o.phone);
  const ip = text(o.ip);
  const asn = text(o.asn);
  const payment = text(o.payment);
  const device = text(o.device);
  const model = text(o.model);
  const prompt = text(o.prompt);
  if (provider === INVALID || apiKey === INVALID || email === INVALID || phone === INVALID || ip === INVALID || asn === INVALID || payment === INVALID || device === INVALID || model === INVALID || prompt === INVALID) {
    const bad = STRING_FIELDS.find((f) => text(o[f]) === INVALID);
    return `'${bad}' must be a string`;
  }
  rec.provider = provider;
  rec.api_key = apiKey;
  rec.email = email;
  rec.phone = phone;
  rec.ip = ip;
  rec.asn = asn;
  rec.payment = payment;
  rec.device = device;
  rec.model = model;
  rec.prompt = prompt;
  const created = o.created;
  if (created === undefined || created === null || created === '') rec.created = NaN;
  else {
    rec.created = parseTime(created);
    if (Number.isNaN(rec.created)) return `invalid time in 'created': ${JSON.stringify(String(created).slice(0, 40))}`;
  }
  rec.in_tokens = count(o.in_tokens);
  if (rec.in_tokens < 0) return "'in_tokens' must be a non-negative number";
  rec.out_tokens = count(o.out_tokens);
  if (rec.out_tokens < 0) return "'out_tokens' must be a non-negative number";
  return undefined;
}

export class JsonLinesDecoder {
  private readonly rec = emptyRecord();
  /** Reused for every good line: one allocation less per line. */
  private readonly ok = { record: this.rec, line: 0, offset: 0 };

  decode(line: string, lineNo: number, offset = -1): Decoded {
    if (line.length === 0 || (line.length === 1 && line.charCodeAt(0) === 13)) return undefined;
    // Lines are byte strings (see bytes.ts), and JSON.parse keeps raw bytes as they are, so its
    // strings are byte strings too — unless a \u escape produced a real character. Lines with
    // \u escapes (rare: most writers emit UTF-8 as is) take the exact, slower path.
    const exact = line.indexOf('\\u') >= 0;
    let value: unknown;
    try {
      value = JSON.parse(exact ? toText(line) : line);
    } catch (err) {
      return { error: `invalid JSON (${(err as Error).message.replace(/ in JSON at position.*$/, '').slice(0, 80)})`, line: lineNo };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object', line: lineNo };
    const o = value as Record<string, unknown>;
    if (exact) for (const key of Object.keys(o)) if (typeof o[key] === 'string') o[key] = toBytes(o[key] as string);
    const error = fill(this.rec, o);
    if (error) return { error, line: lineNo };
    this.ok.line = lineNo;
    this.ok.offset = offset;
    return this.ok;
  }

  end(): Decoded {
    return undefined;
  }
}

export class CsvDecoder {
  private readonly rec = emptyRecord();
  private readonly ok = { record: this.rec, line: 0, offset: 0 };
  private readonly records = new CsvRecords();
  private columns: string[] | undefined;

  decode(line: string, lineNo: number, offset = -1): Decoded {
    if (this.columns === undefined && line.trim() === '') return undefined;
    const r = this.records.push(line, lineNo, offset);
    if (r === undefined) return undefined;
    if ('error' in r) return r;
    if (this.columns === undefined) {
      const names = r.fields.map((f) => f.trim().replace(/^\uFEFF/, ''));
      if (!names.includes('ts') || !names.includes('account')) {
        return { error: `CSV header must name at least 'ts' and 'account' (known columns: ${LOG_COLUMNS.join(', ')})`, line: r.line };
      }
      this.columns = names;
      return undefined;
    }
    if (r.fields.length === 1 && r.fields[0] === '') return undefined;
    if (r.fields.length !== this.columns.length) return { error: `expected ${this.columns.length} fields, found ${r.fields.length}`, line: r.line };
    const o: Record<string, unknown> = {};
    for (let i = 0; i < this.columns.length; i++) o[this.columns[i] as string] = r.fields[i];
    const error = fill(this.rec, o);
    if (error) return { error, line: r.line };
    this.ok.line = r.line;
    this.ok.offset = r.offset;
    return this.ok;
  }

  end(): Decoded {
    return this.records.end();
  }

  /** True once a header has been read. */
  get hasHeader(): boolean {
    return this.columns !== undefined;
  }
}
