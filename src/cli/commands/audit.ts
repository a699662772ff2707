import type { KeyObject } from 'node:crypto';
import { fsckLog, type FsckReport } from '../../audit/fsck.js';
import { checkBatchCoverage } from '../../audit/integrate/coverage.js';
import { listLogs } from '../../audit/log-store.js';
import { MerkleLog } from '../../audit/merkle-log.js';
import { OWN_LOG_ID, TransparencyLog } from '../../audit/transparency-log.js';
import { FINDING_KINDS, type FindingKind } from '../../audit/witness/finding.js';
import { listFindings } from '../../audit/witness/findings-store.js';
import { importPublicJwk, readNodeKey } from '../../crypto/keys.js';
import { CordonError } from '../../errors.js';
import { Membership } from '../../federation/membership/membership.js';
import { openNodeDatabase } from '../../store/database.js';
import { integerOption, loadNodeConfig, parseCommandArgs, type Command, type CommandIO } from '../command.js';
import { QUIET_HELP, QUIET_OPTION, startProgress } from '../progress.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function printReport(io: CommandIO, name: string, r: FsckReport): void {
  io.out(`${name}: ${r.size} leaves, ${r.headsChecked} heads: ${r.ok ? 'ok' : `${r.mismatchCount} mismatch(es)`}${r.ok ? ` (root ${hex(r.root)})` : ''}`);
  for (const m of r.mismatches) io.out(`  ${m.kind} at level ${m.level}, index ${m.index}: ${m.detail}`);
}

export const auditFsck: Command = {
  name: 'audit fsck',
  summary: "recompute this consortium node's transparency log from its stored leaves and check everything stored about it",
  help: `Usage: cordon audit fsck [--node DIR] [--json] [--max N] [--quiet]

Reads the node's own transparency log from its database and recomputes it from the stored
leaf data alone: every leaf hash, every tile hash, the root at the size of every tree head
the node signed (and each head's signature, with the node's key), and that nothing is stored
past the log's size. Then checks that nothing acknowledged escaped the log: every batch
accepted more than 10 s ago has a leaf, and every batch leaf names a held batch with its
exact digest.

Exits 0 when everything matches, 1 on any mismatch (each printed with where it is).

Options:
  --node DIR   the node (default: $CORDON_NODE, else the current directory)
  --json       print the report as JSON
  --max N      report at most N mismatches of each check (default 1000)
${QUIET_HELP}

Example: cordon audit fsck --node nodes/consortium-1`,
  async run(argv, io) {
    const { values } = parseCommandArgs('audit fsck', argv, { node: { type: 'string' }, json: { type: 'boolean' }, max: { type: 'string' }, ...QUIET_OPTION }, false);
    const max = integerOption('audit fsck', values, 'max', 1000, 1);
    const config = await loadNodeConfig(values);
    if (config.role !== 'consortium') throw new CordonError('INVALID_INPUT', `cordon audit fsck: ${config.id} is a ${config.role} node; only consortium nodes keep a transparency log (the regulator checks its copies with cordon audit verify)`);
    const key = await readNodeKey(config.key_file);
    const db = await openNodeDatabase(config);
    try {
      const log = new TransparencyLog(db.sql);
      const progress = startProgress(io, values, { label: 'audit fsck', unit: 'leaves', total: await log.size() });
      const report = await log.fsck({ publicKey: key.publicKey, maxMismatches: max, onProgress: (done) => progress.update(done) });
      progress.end();
      const coverage = await checkBatchCoverage(log, max);
      const ok = report.ok && coverage.problems.length === 0;
      if (values.json) {
        io.out(JSON.stringify({ ok, log: { ...report, root: hex(report.root) }, batches: coverage }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
      } else {
        printReport(io, `${config.id} log`, report);
        io.out(`${config.id} batches: ${coverage.batchLeaves} batch leaves: ${coverage.problems.length === 0 ? 'ok' : `${coverage.problems.length} problem(s)`}`);
        for (const p of coverage.problems) io.out(`  ${p.kind} ${p.ref}: ${p.detail}`);
      }
      return ok ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};

export const auditVerify: Command = {
  name: 'audit verify',
  summary: "replay the regulator's own copy of every consortium log and recompute every root",
  help: `Usage: cordon audit verify [--node DIR] [--json] [--max N]

On the regulator's node: replays the witness's own copy of each consortium node's log from
the leaves it fetched, recomputes the root at the size of every tree head it accepted, and
checks each head's signature against that node's key in the manifest. Exits 0 when every
copy replays to every accepted root, 1 otherwise.

Options:
  --node DIR   the regulator's node (default: $CORDON_NODE, else the current directory)
  --json       print the reports as JSON
  --max N      report at most N mismatches per log (default 1000)

Example: cordon audit verify --node nodes/regulator`,
  async run(argv, io) {
    const { values } = parseCommandArgs('audit verify', argv, { node: { type: 'string' }, json: { type: 'boolean' }, max: { type: 'string' } }, false);
    const max = integerOption('audit verify', values, 'max', 1000, 1);
    const config = await loadNodeConfig(values);
    if (config.role !== 'regulator') throw new CordonError('INVALID_INPUT', `cordon audit verify: ${config.id} is a ${config.role} node; the regulator's node holds the witness's copies (consortium nodes check their own log with cordon audit fsck)`);
    const membership = await Membership.load(config.manifest_file);
    const db = await openNodeDatabase(config);
    try {
      const reports: Record<string, FsckReport> = {};
      for (const { logId } of await listLogs(db.sql)) {
        if (logId === OWN_LOG_ID) continue;
        reports[logId] = await fsckLog(new MerkleLog(db.sql, logId), { maxMismatches: max, ...keyOf(membership, logId) });
      }
      const ok = Object.values(reports).every((r) => r.ok);
      if (values.json) io.out(JSON.stringify(Object.fromEntries(Object.entries(reports).map(([id, r]) => [id, { ...r, root: hex(r.root) }])), null, 2));
      else if (Object.keys(reports).length === 0) io.out('no copies yet: the witness has not fetched any consortium log');
      else for (const [id, r] of Object.entries(reports)) printReport(io, id, r);
      return ok ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};

/** The log's key as the manifest lists it, revoked or not: heads it signed while active still verify. */
function keyOf(membership: Membership, logId: string): { publicKey?: KeyObject } {
  const member = membership.member(logId);
  return member ? { publicKey: importPublicJwk(member.jwk, `manifest member ${logId}`) } : {};
}

export const auditFindings: Command = {
  name: 'audit findings',
  summary: "list what the regulator's witness found (rollback, fork, split view, equivocation…)",
  help: `Usage: cordon audit findings [--node DIR] [--kind KIND] [--log ID] [--provider ID] [--json]

On the regulator's node: lists the witness's findings, oldest first, each with what it is
about, when it was first and last seen and how often. With --json, each finding carries its
evidence (signed tree heads, proofs, signed batches) so anyone can check it.

Kinds: ${FINDING_KINDS.join(', ')}.

Options:
  --node DIR       the regulator's node (default: $CORDON_NODE, else the current directory)
  --kind KIND      only findings of this kind
  --log ID         only findings about this consortium node's log
  --provider ID    only findings about this provider
  --json           print JSON (an array)

Example: cordon audit findings --node nodes/regulator --kind equivocation --json`,
  async run(argv, io) {
    const { values } = parseCommandArgs('audit findings', argv, {
      node: { type: 'string' }, kind: { type: 'string' }, log: { type: 'string' }, provider: { type: 'string' }, json: { type: 'boolean' },
    }, false);
    if (values.kind !== undefined && !FINDING_KINDS.includes(values.kind as FindingKind)) {
      throw new CordonError('INVALID_INPUT', `cordon audit findings: --kind must be one of ${FINDING_KINDS.join(', ')}, got '${values.kind}'`);
    }
    const config = await loadNodeConfig(values);
    if (config.role !== 'regulator') throw new CordonError('INVALID_INPUT', `cordon audit findings: ${config.id} is a ${config.role} node; findings are the regulator's witness's`);
    const db = await openNodeDatabase(config);
    try {
      const found = await listFindings(db.sql, {
        ...(values.kind ? { kind: values.kind as FindingKind } : {}),
        ...(values.log ? { logId: values.log } : {}),
        ...(values.provider ? { providerId: values.provider } : {}),
      });
      if (values.json) io.out(JSON.stringify(found, null, 2));
      else if (found.length === 0) io.out('no findings');
      else for (const f of found) io.out(`#${f.id} ${f.kind} ${f.subject} (first ${f.firstSeenAt.toISOString()}, seen ${f.seen}×): ${f.detail}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
