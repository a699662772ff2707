import { CordonError, errorMessage } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import type { Campaign } from '../../gen/cordon/v1/alerts_pb.js';
import type { Peer } from '../../federation/client/peer-client.js';
import { TOKEN_KIND_NAMES } from '../../federation/membership/schema.js';
import { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { AlertClient } from '../../match/client/alert-client.js';
import { integerOption, loadNodeConfig, parseCommandArgs, type Command } from '../command.js';
import type { ResolvedConfig } from '../../config/schema.js';

/** Providers ask a consortium node; consortium and regulator nodes ask themselves (the regulator matches its replica). */
function targets(config: ResolvedConfig, membership: Membership): Peer[] {
  if (config.role === 'provider') return consortiumPeers(membership, config.id, config.publish_to);
  const self = membership.member(config.id)?.endpoints.grpc ?? config.listen;
  return [{ id: config.id, address: self }];
}

async function ask<T>(config: ResolvedConfig, call: (c: AlertClient) => Promise<T>): Promise<T> {
  const key = await readNodeKey(config.key_file);
  const membership = await Membership.load(config.manifest_file);
  const errors: string[] = [];
  for (const peer of targets(config, membership)) {
    const client = new AlertClient({ id: config.id, key: key.privateKey }, peer);
    try {
      return await call(client);
    } catch (err) {
      if (err instanceof CordonError && err.code === 'NOT_FOUND') throw err;
      errors.push(`${peer.id}: ${errorMessage(err)}`);
    } finally {
      client.close();
    }
  }
  throw new CordonError('UNAVAILABLE', `no node answered: ${errors.join('; ') || 'none configured'}`);
}

const kinds = (c: Campaign) => c.tokenKinds.map((k) => TOKEN_KIND_NAMES[k - 1] ?? String(k)).join('+') || (c.templateCount > 0 ? 'templates' : '-');

function campaignJson(c: Campaign): Record<string, unknown> {
  return {
    id: c.id, providers: c.providers, provider_count: c.providerCount, records: c.recordCount, accounts: c.accountCount, templates: c.templateCount,
    token_kinds: c.tokenKinds.map((k) => TOKEN_KIND_NAMES[k - 1]), max_similarity: c.maxSimilarity, score: c.score,
    confirmed: c.confirmed, false_positive: c.falsePositive, labels: c.labels,
    first_seen: new Date(Number(c.firstSeenMs)).toISOString(), last_seen: new Date(Number(c.lastSeenMs)).toISOString(),
    founded: new Date(Number(c.foundedMs)).toISOString(), own_record_ids: c.ownRecordIds.length ? c.ownRecordIds : undefined,
  };
}

export const campaigns: Command = {
  name: 'campaigns',
  summary: 'list the cross-provider campaigns this node may see (best score first)',
  help: `Usage: cordon campaigns [--node DIR] [--limit N] [--min-providers K] [--json]

A provider sees the campaigns its own records are in (with the other providers' names or only
their number, as the consortium's disclosure policy says); the regulator sees campaigns that
span at least the policy's regulator_min_providers; consortium nodes see all.
--json prints one JSON array of the campaigns ([] when there are none).

Example: cordon campaigns --node nodes/regulator --json`,
  async run(argv, io) {
    const { values } = parseCommandArgs('campaigns', argv, { node: { type: 'string' }, limit: { type: 'string' }, 'min-providers': { type: 'string' }, json: { type: 'boolean' } }, false);
    const config = await loadNodeConfig(values);
    const limit = Math.min(1000, integerOption('campaigns', values, 'limit', 100, 1));
    const minProviders = integerOption('campaigns', values, 'min-providers', 1, 1);
    const res = await ask(config, (c) => c.listCampaigns(limit, minProviders));
    // One document, empty or not: a script reading it never has to tell "none" from "no output".
    if (values.json) io.out(JSON.stringify(res.campaigns.map(campaignJson), null, 2));
    else {
      if (res.campaigns.length === 0) io.out('no campaigns visible to this node');
      for (const c of res.campaigns) {
        const who = c.providers.length === c.providerCount ? c.providers.join(', ') : `${c.providerCount} providers`;
        io.out(`${c.id}  score ${c.score.toFixed(2)}  ${who}  ${c.recordCount} records (${c.accountCount} accounts, ${c.templateCount} templates)  shared: ${kinds(c)}`);
      }
    }
    return 0;
  },
};

export const campaignsShow: Command = {
  name: 'campaigns show',
  summary: 'one campaign with its timeline',
  help: `Usage: cordon campaigns show ID [--node DIR] [--json]

Prints the campaign as this node may see it, and its timeline (formed, grew, merged, feedback,
withdrawn). A campaign this node may not see is reported as not found, like one that does not exist.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('campaigns show', argv, { node: { type: 'string' }, json: { type: 'boolean' } });
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new CordonError('INVALID_INPUT', 'cordon campaigns show: give exactly one campaign id (see cordon campaigns show --help)');
    const config = await loadNodeConfig(values);
    const res = await ask(config, (c) => c.getCampaign(id));
    const c = res.campaign!;
    const timeline = res.timeline.map((e) => ({ at: new Date(Number(e.atMs)).toISOString(), kind: e.kind, detail: JSON.parse(e.detailJson) as unknown }));
    if (values.json) io.out(JSON.stringify({ ...campaignJson(c), timeline }, null, 2));
    else {
      for (const [k, v] of Object.entries(campaignJson(c))) if (v !== undefined) io.out(`${k.padEnd(16)} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
      io.out('timeline:');
      for (const e of timeline) io.out(`  ${e.at} ${e.kind} ${JSON.stringify(e.detail)}`);
    }
    return 0;
  },
};
