/**
 * CSV records (RFC 4180): comma-separated, fields optionally double-quoted,
 * `""` for a quote inside a quoted field, and quoted fields may span lines —
 * prompts often contain newlines. Lines are fed one at a time; a record is
 * complete once its quotes balance.
 */
export class CsvRecords {
  private pending: string | undefined;
  private pendingLine = 0;
  private pendingOffset = 0;

  /**
   * Feeds one physical line. Returns the fields of a completed record with the
   * line number and byte offset it started at, or undefined while a quoted
   * field is still open.
   */
  push(line: string, lineNo: number, offset: number): { fields: string[]; line: number; offset: number } | { error: string; line: number } | undefined {
    const text = this.pending === undefined ? line : this.pending + '\n' + line;
    const start = this.pending === undefined ? lineNo : this.pendingLine;
    const at = this.pending === undefined ? offset : this.pendingOffset;
    if (!quotesBalanced(text)) {
      this.pending = text;
      this.pendingLine = start;
      this.pendingOffset = at;
      return undefined;
    }
    this.pending = undefined;
    const fields = splitRecord(text);
    return typeof fields === 'string' ? { error: fields, line: start } : { fields, line: start, offset: at };
  }

  /** At end of input: an unterminated quoted field is an error on the line it began. */
  end(): { error: string; line: number } | undefined {
    if (this.pending === undefined) return undefined;
    this.pending = undefined;
    return { error: 'unterminated quoted field', line: this.pendingLine };
  }
}

function quotesBalanced(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n % 2 === 0;
}

/** Splits one complete record into fields, or returns why it cannot. */
export function splitRecord(s: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  const len = s.length;
  for (;;) {
    if (i < len && s.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) return 'unterminated quoted field';
        value += s.slice(j, q);
        if (s.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === len) return fields;
      if (s.charCodeAt(i) !== 44 /* , */) return `unexpected character after quoted field at column ${i + 1}`;
      i++;
    } else {
      const comma = s.indexOf(',', i);
      if (comma < 0) {
        const last = s.slice(i, len).replace(/\r$/, '');
        if (last.includes('"')) return `stray quote in unquoted field at column ${i + 1}`;
        fields.push(last);
        return fields;
      }
      const value = s.slice(i, comma);
      if (value.includes('"')) return `stray quote in unquoted field at column ${i + 1}`;
      fields.push(value);
      i = comma + 1;
    }
  }
}
