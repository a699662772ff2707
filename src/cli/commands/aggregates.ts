import { CordonError } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import { Membership } from '../../federation/membership/membership.js';
import { RegulatorClient } from '../../regulator/reports/report-clients.js';
import { loadNodeConfig, parseCommandArgs, type Command } from '../command.js';

export const aggregatesCommand: Command = {
  name: 'aggregates',
  summary: "the regulator's counts: records by label, provider and week; campaigns by breadth",
  help: `Usage: cordon aggregates [--node DIR] [--since YYYY-MM-DD] [--json]

Asks the regulator's own node for counts over every chain it holds (active records only:
retracted and expired ones no longer count) and over the campaigns it may see (spanning at
least the policy's regulator_min_providers). Counts only: no record, token or identifier.

Example: cordon aggregates --node nodes/regulator --since 2026-11-01`,
  async run(argv, io) {
    const { values } = parseCommandArgs('aggregates', argv, { node: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' } }, false);
    const config = await loadNodeConfig(values);
    if (config.role !== 'regulator') throw new CordonError('INVALID_INPUT', `cordon aggregates: ${config.id} is a ${config.role} node; aggregates are the regulator's view`);
    let sinceMs = 0;
    if (values.since !== undefined) {
      sinceMs = Date.parse(values.since);
      if (!Number.isFinite(sinceMs)) throw new CordonError('INVALID_INPUT', `cordon aggregates: --since must be a date (YYYY-MM-DD or ISO 8601), got '${values.since}'`);
    }
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const address = membership.member(config.id)?.endpoints.grpc ?? config.listen;
    const client = new RegulatorClient({ id: config.id, key: key.privateKey }, { id: config.id, address });
    try {
      const a = await client.getAggregates(BigInt(sinceMs));
      const table = (counts: { key: string; count: bigint }[]) => Object.fromEntries(counts.map((c) => [c.key, Number(c.count)]));
      const out = {
        records: Number(a.records), campaigns: Number(a.campaigns),
        records_by_label: table(a.recordsByLabel), records_by_provider: table(a.recordsByProvider), records_by_week: table(a.recordsByWeek),
        campaigns_by_providers: table(a.campaignsByProviders),
      };
      if (values.json) io.out(JSON.stringify(out, null, 2));
      else {
        io.out(`${out.records} active records, ${out.campaigns} campaigns visible`);
        for (const [name, t] of Object.entries(out)) {
          if (typeof t !== 'object') continue;
          io.out(`${name}:`);
          for (const [k, n] of Object.entries(t)) io.out(`  ${k.padEnd(24)} ${n}`);
        }
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
