import { toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecordsFile } from '../../src/federation/provider/records-file.js';
import { RecordSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { asyncOutcomeOf, invariant } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * `cordon publish FILE` input (JSON lines of tokenized records and
 * retractions, federation/provider/records-file.ts): files of real lines,
 * edited; lines of arbitrary JSON under the real keys. An accepted file's
 * records must serialize (a NaN time would not) and carry no duplicate ids.
 */
const TOKEN = 'ab'.repeat(32);
const RECORD = { record_id: 'r-1', kind: 'account', epoch: 1, tokens: [{ kind: 'email', value: TOKEN }], labels: ['volume'], score: 0.5, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00.123+02:00', expires: '2027-01-01T00:00:00Z' };
const TEMPLATE = { record_id: 't-1', kind: 'template', epoch: 2, template: { minhash: [1, 2, 4294967295], bands: ['00ff'] }, score: 1, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-01T00:00:00Z', expires: '2026-12-01T00:00:00Z' };
const RETRACT = { retract: 'r-0', reason: 'false positive' };

const line = fc.oneof(
  { weight: 3, arbitrary: mutatedText(fc.constantFrom(RECORD, TEMPLATE, RETRACT).map((v) => JSON.stringify(v)), 3) },
  { weight: 2, arbitrary: fc.record(Object.fromEntries(Object.entries({ ...RECORD, template: TEMPLATE.template }).map(([k, v]) => [k, fc.oneof(fc.constant(v), hostileJson)])), { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.record({ retract: fc.oneof(fc.constant('r-0'), hostileJson), reason: hostileJson }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '\r', '2026-13-01T00:00:00Z', '{"first_seen":"2026-02-30T00:00:00Z"}') },
);

export default defineTarget({
  name: 'records-file',
  covers: 'JSON-lines records files for publish (readRecordsFile)',
  async prepare() {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-fuzz-records-'));
    const path = join(dir, 'records.jsonl');
    return prepared({
      arbitrary: fc.array(line, { minLength: 0, maxLength: 4 }),
      async check(lines) {
        await writeFile(path, lines.join('\n'));
        return asyncOutcomeOf(() => readRecordsFile(path), { kind: 'cordon', codes: ['INVALID_INPUT'] }, (parsed) => {
          invariant(new Set(parsed.records.map((r) => r.recordId)).size === parsed.records.length, 'duplicate record ids accepted');
          for (const r of parsed.records) {
            toBinary(RecordSchema, r);
            invariant([r.firstSeenMs, r.lastSeenMs, r.expiresMs].every((t) => typeof t === 'bigint'), `record ${r.recordId} has a time that is not an integer`);
          }
        });
      },
      async close() {
        await rm(dir, { recursive: true, force: true });
      },
    });
  },
});
