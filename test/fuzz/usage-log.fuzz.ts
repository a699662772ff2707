import fc from 'fast-check';
import { CsvDecoder, JsonLinesDecoder, type Decoded } from '../../src/detect/log/decode.js';
import { toBytes } from '../../src/detect/log/bytes.js';
import { LOG_COLUMNS } from '../../src/detect/log/record.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { FuzzViolation, invariant, type Outcome } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * Usage logs (JSON lines and CSV, detect/log/decode.ts) are the provider's
 * own files, but they come from logging pipelines that truncate, mis-quote
 * and mis-encode. The decoders' contract is stricter than "a clear error":
 * they never throw at all, reporting each bad line as a reason so one
 * broken line never stops a run. A decoded record has a finite time, an
 * account, and non-negative finite token counts.
 */
const JSON_LINE = JSON.stringify({ ts: '2025-03-03T00:02:23.233Z', account: 'acct-1', provider: 'p1', created: '2024-01-01T00:00:00Z', api_key: 'k', email: 'a@b.c', phone: '+1', ip: '203.0.113.9', asn: 'AS1', payment: 'pm', device: 'd', model: 'm', prompt: 'Explain "this",\nplease', in_tokens: 12, out_tokens: 340 });
const CSV_HEADER = LOG_COLUMNS.join(',');
const CSV_ROW = '2025-03-03T00:02:23.233Z,p1,acct-1,2024-01-01T00:00:00Z,k,a@b.c,+1,203.0.113.9,AS1,pm,d,m,"Explain ""this"",\nplease",12,340';

type Input = { format: 'jsonl' | 'csv'; lines: string[] };

const jsonLine = fc.oneof(
  mutatedText(fc.constant(JSON_LINE), 4),
  fc.record(Object.fromEntries(['ts', 'account', 'created', 'email', 'in_tokens', 'out_tokens', 'prompt'].map((k) => [k, hostileJson])), { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.constantFrom('', '\r', '{}', '[]', 'null', '{"ts":1e400,"account":"a"}', '{"ts":"2025-02-31T00:00:00.000Z","account":"a"}', '{"ts":"\\u0032025-03-03T00:00:00Z","account":"\\ud800"}'),
);
const csvText = fc.oneof(mutatedText(fc.constant(`${CSV_HEADER}\n${CSV_ROW}\n${CSV_ROW}`), 5), fc.string({ maxLength: 200 }));

/** Lines as forEachLine hands them over: byte strings (one char per byte of UTF-8). */
const asLines = (text: string) => text.split('\n').map(toBytes);

export default defineTarget<Input>({
  name: 'usage-log',
  covers: 'usage-log JSON lines and CSV decoding (detect/log: JsonLinesDecoder, CsvDecoder, parseTime)',
  async prepare() {
    return prepared({
      arbitrary: fc.oneof(
        fc.array(jsonLine, { minLength: 1, maxLength: 4 }).map((lines): Input => ({ format: 'jsonl', lines: lines.map(toBytes) })),
        csvText.map((text): Input => ({ format: 'csv', lines: asLines(text) })),
      ),
      check({ format, lines }) {
        const decoder = format === 'jsonl' ? new JsonLinesDecoder() : new CsvDecoder();
        const tally = { records: 0, errors: 0 };
        const take = (d: Decoded) => {
          if (d === undefined) return;
          if ('error' in d) {
            invariant(d.error.length > 0, 'a line error without a reason');
            tally.errors++;
            return;
          }
          const r = d.record;
          invariant(Number.isFinite(r.ts), `decoded a record with time ${r.ts}`);
          invariant(r.account.length > 0 && r.account.length <= 256, 'decoded a record without a valid account');
          invariant(Number.isFinite(r.in_tokens) && r.in_tokens >= 0 && Number.isFinite(r.out_tokens) && r.out_tokens >= 0, 'decoded negative or infinite token counts');
          tally.records++;
        };
        try {
          lines.forEach((line, i) => take(decoder.decode(line, i + 1, 0)));
          take(decoder.end());
        } catch (err) {
          if (err instanceof FuzzViolation) throw err;
          throw new FuzzViolation(`the ${format} decoder threw instead of reporting the line: ${(err as Error).message}`, { cause: err });
        }
        const outcome: Outcome = tally.records > 0 ? 'accepted' : tally.errors > 0 ? 'line-errors' : 'nothing';
        return outcome;
      },
    });
  },
});
