import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { asyncOutcomeOf, invariant } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * A node's configuration file and environment overrides (config/load.ts):
 * real configs, edited; arbitrary JSON under the real keys; hostile values
 * in the override variables. Accepted configs have every path absolute.
 */
const VALID = { id: 'c1', role: 'consortium', organisation: 'Fuzz Org', listen: '127.0.0.1:7400', http_listen: '127.0.0.1:8400', database_url: 'postgres://u:p@localhost:5432/db', publish_to: ['c1', 'c2'], replication_interval_ms: 500 };
const ENV = ['CORDON_LISTEN', 'CORDON_HTTP_LISTEN', 'CORDON_DATA_DIR', 'CORDON_KEY_FILE', 'CORDON_MANIFEST_FILE', 'DATABASE_URL'] as const;

export default defineTarget({
  name: 'config',
  covers: 'config loading (loadConfig: file and environment overrides)',
  async prepare() {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-fuzz-config-'));
    const path = join(dir, 'cordon.json');
    const fields = fc.record(Object.fromEntries(Object.keys(VALID).map((k) => [k, fc.oneof(fc.constant(VALID[k as keyof typeof VALID]), hostileJson)])), { requiredKeys: [] });
    const arbitrary = fc.record({
      text: fc.oneof(
        mutatedText(fc.constant(JSON.stringify(VALID, null, 2)), 4),
        fields.map((f) => JSON.stringify(f)),
        hostileJson.map((v) => JSON.stringify(v) ?? ''),
      ),
      env: fc.dictionary(fc.constantFrom(...ENV), fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('[::1]:7400', 'localhost:99999', 'x:1', 'postgres://', '../../etc'))),
    });
    return prepared({
      arbitrary,
      async check({ text, env }) {
        await writeFile(path, text);
        return asyncOutcomeOf(() => loadConfig(path, env), { kind: 'cordon', codes: ['INVALID_CONFIG'] }, (c) => {
          invariant(isAbsolute(c.key_file) && isAbsolute(c.manifest_file) && isAbsolute(c.data_dir), 'a path in the loaded config is not absolute');
        });
      },
      async close() {
        await rm(dir, { recursive: true, force: true });
      },
    });
  },
});
