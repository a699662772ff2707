import { LOG_COLUMNS, type LogLine } from '../detect/log/record.js';

/** Serialises simulated log lines as JSON lines or CSV (RFC 4180 quoting). */
export type LogFormat = 'jsonl' | 'csv';

export function csvHeader(): string {
  return LOG_COLUMNS.join(',') + '\n';
}

const NEEDS_QUOTES = /[",\n\r]/;

function csvField(value: string | number): string {
  const s = String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatLine(line: LogLine, format: LogFormat): string {
  if (format === 'jsonl') return JSON.stringify(line) + '\n';
  let out = '';
  for (let i = 0; i < LOG_COLUMNS.length; i++) {
    if (i > 0) out += ',';
    out += csvField(line[LOG_COLUMNS[i] as keyof LogLine]);
  }
  return out + '\n';
}
