import { doctorExitCode, runDoctor } from '../../ops/doctor/run-doctor.js';
import type { CheckStatus } from '../../ops/doctor/check.js';
import { nodeArgument, parseCommandArgs, type Command } from '../command.js';

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

export const doctor: Command = {
  name: 'doctor',
  summary: "check a node's config, key, manifest, database and peers",
  help: `Usage: cordon doctor [--node DIR] [--json] [--offline]

Checks what the node in DIR (default: $CORDON_NODE or .) needs to run, and prints a checklist:
  config      cordon.json against the schema, with CORDON_* / DATABASE_URL overrides applied
  key         the key file is 0600 and an Ed25519 private JWK
  manifest    its threshold signatures verify; this node is listed, active, in its role, with this key
  database    PostgreSQL answers; every migration is applied (doctor never applies any)
  peers       each consortium node it talks to: reachable, health SERVING, our call token
              accepted, clock within the call tokens' tolerance (skipped with --offline)
Exit 0 when nothing failed (warnings allowed), 1 otherwise; 2 when DIR holds no node at all.
--json prints the checks as JSON.

Example: cordon doctor --node nodes/c1`,
  async run(argv, io) {
    const { values } = parseCommandArgs('doctor', argv, { node: { type: 'string' }, json: { type: 'boolean' }, offline: { type: 'boolean' } }, false);
    // A directory that holds no node is a wrong argument (exit 2), not a failed check.
    const dir = nodeArgument(values);
    const results = await runDoctor(dir, { offline: values.offline ?? false });
    const code = doctorExitCode(results);
    if (values.json) {
      io.out(JSON.stringify({ ok: code === 0, checks: results }, null, 2));
    } else {
      const width = Math.max(...results.map((r) => r.check.length));
      for (const r of results) io.out(`${MARK[r.status]} ${r.check.padEnd(width)}  ${r.detail}`);
      const failed = results.filter((r) => r.status === 'fail').length;
      io.out(failed === 0 ? 'all checks passed' : `${failed} check${failed === 1 ? '' : 's'} failed`);
    }
    return code;
  },
};
