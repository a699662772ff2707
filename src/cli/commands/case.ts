import { join } from 'node:path';
import { ENC_KEY_FILE, readEncryptionKey } from '../../crypto/encryption-key.js';
import { readNodeKey } from '../../crypto/keys.js';
import { CordonError } from '../../errors.js';
import { Membership } from '../../federation/membership/membership.js';
import { TOKEN_KIND_NAMES } from '../../federation/membership/schema.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { CaseRole, CaseStatus, type CaseSummary } from '../../gen/cordon/v1/investigations_pb.js';
import { VOLUME_BANDS, type VolumeBand } from '../../investigate/cases/answer-context.js';
import { CaseClient, type ReadCase } from '../../investigate/cases/client/case-client.js';
import { loadOpening, saveOpening } from '../../investigate/cases/client/openings.js';
import { localContext, type LocalContext } from '../../investigate/cases/local-context.js';
import { readOpening } from '../../investigate/cases/query-commitment.js';
import { openNodeDatabase } from '../../store/database.js';
import type { ResolvedConfig } from '../../config/schema.js';
import { integerOption, loadNodeConfig, parseCommandArgs, requireOption, type Command } from '../command.js';

/**
 * `cordon case …`: a provider's (or the regulator's) side of investigations
 * against one consortium node. Messages are encrypted and decrypted here, on
 * the member's machine; the consortium node sees only ciphertext.
 */
const NODE_OPTIONS = { node: { type: 'string' }, consortium: { type: 'string' } } as const;
const NODE_HELP = `  --node DIR        the member's node directory (default: $CORDON_NODE or .)
  --consortium ID   the consortium node holding the case (default: the first one this node publishes to)`;

async function withClient<T>(command: string, values: { node?: string | undefined; consortium?: string | undefined }, use: (c: CaseClient, membership: Membership, config: ResolvedConfig) => Promise<T>): Promise<T> {
  const config = await loadNodeConfig(values);
  if (config.role === 'consortium') throw new CordonError('INVALID_INPUT', `cordon ${command}: ${config.id} is a consortium node; cases are opened and answered by providers and read by the regulator`);
  const membership = await Membership.load(config.manifest_file);
  const peers = consortiumPeers(membership, config.id, values.consortium ? [values.consortium] : config.publish_to);
  const peer = peers[0];
  if (!peer) throw new CordonError('INVALID_INPUT', `cordon ${command}: ${values.consortium ? `'${values.consortium}' is not an active consortium node with a gRPC endpoint` : 'no consortium node to ask (see --consortium)'}`);
  const key = await readNodeKey(config.key_file);
  const client = new CaseClient({ id: config.id, key: key.privateKey }, await readEncryptionKey(join(config.dir, ENC_KEY_FILE)), membership, peer);
  try {
    return await use(client, membership, config);
  } finally {
    client.closeChannel();
  }
}

const caseIdArg = (command: string, positionals: string[]): string => {
  if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', `cordon ${command}: needs exactly one case id (see cordon ${command} --help)`);
  return positionals[0]!;
};

const status = (s: CaseStatus) => CaseStatus[s]?.toLowerCase() ?? String(s);
const line = (c: CaseSummary) =>
  `${c.caseId}  ${status(c.status).padEnd(9)}  ${CaseRole[c.role]?.toLowerCase().padEnd(9)}  opened by ${c.opener} ${new Date(Number(c.openedMs)).toISOString()}` +
  (c.role === CaseRole.ASKED ? `  your records: ${c.ownRecordIds.join(', ')}${c.responded ? '  (responded)' : ''}` : '');

function parseToken(text: string): { kind: number; value: Uint8Array } {
  const m = /^([a-z_]+):([0-9a-f]{64})$/.exec(text);
  const kind = m ? TOKEN_KIND_NAMES.indexOf(m[1] as (typeof TOKEN_KIND_NAMES)[number]) + 1 : 0;
  if (!m || kind === 0) throw new CordonError('INVALID_INPUT', `cordon case open: --token must be KIND:HEX with KIND one of ${TOKEN_KIND_NAMES.join(', ')} and 64 hex digits, got '${text.slice(0, 80)}'`);
  return { kind, value: Buffer.from(m[2]!, 'hex') };
}

export const caseOpen: Command = {
  name: 'case open',
  summary: 'open an investigation case about tokens; only providers whose records match are asked',
  help: `Usage: cordon case open --token KIND:HEX [--token …] --purpose TEXT [--epoch N] [--node DIR] [--consortium ID]

Opens a case at a consortium node. The node asks only the providers whose active records hold one
of the tokens, and never tells you who they are unless they answer. The purpose is encrypted on
this machine to the providers (the node keeps only the copies for those it asks) and cannot be
read by the node. Each token counts against your daily budget (policy.investigation.
query_tokens_per_day); beyond it the node refuses with RESOURCE_EXHAUSTED. Every query is
written to the node's transparency log as counts and a commitment under a random salt, never
the tokens, the purpose or a plain hash: other members cannot test a guess against it. The salt
and the query are kept in the node directory (case-openings/, owner only) and go to the
regulator, encrypted, only if you escalate.

Options:
  --token KIND:HEX  a token, e.g. from an alert (KIND: ${TOKEN_KIND_NAMES.join(', ')})
  --purpose TEXT    why you ask (end-to-end encrypted)
  --epoch N         the tokens' epoch (default: policy.token_epoch)
${NODE_HELP}

Example: cordon case open --node nodes/p1 --token payment:3f…e1 --purpose "campaign cp-…: same card at your lab?"`,
  async run(argv, io) {
    const { values } = parseCommandArgs('case open', argv, { ...NODE_OPTIONS, token: { type: 'string', multiple: true }, purpose: { type: 'string' }, epoch: { type: 'string' } }, false);
    const purpose = requireOption('case open', values, 'purpose');
    const tokens = (values.token ?? []).map(parseToken);
    if (tokens.length === 0) throw new CordonError('INVALID_INPUT', 'cordon case open: at least one --token is required (see cordon case open --help)');
    return withClient('case open', values, async (client, membership, config) => {
      const epoch = values.epoch === undefined ? membership.manifest.policy.token_epoch : integerOption('case open', values, 'epoch', 1, 1);
      const r = await client.open({ epoch, tokens }, purpose);
      io.out(`opened ${r.caseId} (budget left today: ${r.remainingToday} tokens)`);
      io.out(`the query's salt is kept in ${await saveOpening(config.dir, r.opening)}; it goes to the regulator only if you escalate`);
      return 0;
    });
  },
};

export const caseList: Command = {
  name: 'case list',
  summary: 'list the cases you opened, were asked about, or (regulator) had escalated to you (--follow to keep watching)',
  help: `Usage: cordon case list [--after CURSOR] [--follow] [--node DIR] [--consortium ID]

Lists cases you take part in at one consortium node, oldest first: cases you opened, requests
asked of you (with your own records that matched), and for the regulator escalated cases. Poll
with --after set to the last cursor printed to see only new ones, or --follow to keep watching.

Options:
  --after CURSOR    only cases after this cursor
  --follow          keep watching and print new cases as they arrive (Ctrl-C to stop)
${NODE_HELP}

Example: cordon case list --node nodes/p2 --follow`,
  async run(argv, io) {
    const { values } = parseCommandArgs('case list', argv, { ...NODE_OPTIONS, after: { type: 'string' }, follow: { type: 'boolean' } }, false);
    const after = BigInt(integerOption('case list', values, 'after', 0));
    return withClient('case list', values, async (client) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        let n = 0;
        for await (const c of client.watch(after, { backlogOnly: !values.follow, signal: stop.signal })) {
          io.out(`#${c.cursor} ${line(c)}`);
          n++;
        }
        if (n === 0 && !values.follow) io.out('no cases');
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  },
};

export const caseShow: Command = {
  name: 'case show',
  summary: 'decrypt and print one case: purpose, answers (signatures checked), escalation',
  help: `Usage: cordon case show CASE_ID [--json] [--node DIR] [--consortium ID]

Fetches a case you take part in and decrypts, on this machine, what is addressed to you: the
purpose, the answers (each answer's signature is checked against its provider's key), and for the
regulator the escalation bundle.

Options:
  --json            one JSON object
${NODE_HELP}

Example: cordon case show cs-0123… --node nodes/p1`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('case show', argv, { ...NODE_OPTIONS, json: { type: 'boolean' } });
    const id = caseIdArg('case show', positionals);
    return withClient('case show', values, async (client) => {
      const c = await client.read(id);
      if (values.json) {
        io.out(JSON.stringify({ case_id: id, status: status(c.summary.status), opener: c.summary.opener, purpose: c.purpose, answers: c.answers, escalation: escalationJson(c.escalation) }));
        return 0;
      }
      io.out(line(c.summary));
      if (c.purpose !== undefined) io.out(`purpose: ${c.purpose}`);
      for (const a of [...c.answers, ...(c.escalation?.answers ?? [])]) {
        io.out(`answer from ${a.from} (signature ok): linked accounts ${a.linked_accounts}, volume ${a.volume_band ?? '-'}, first seen ${a.first_seen ?? '-'}, labels ${a.labels.join(',') || '-'}${a.note ? `, note: ${a.note}` : ''}`);
      }
      if (c.escalation) io.out(`escalated purpose: ${c.escalation.purpose}`);
      if (c.escalation) io.out(c.escalation.query ? `escalated query (opens the commitment in log entry ${c.escalation.query.logIndex}): ${queryText(c.escalation.query)}` : 'escalated query: not disclosed by the opener');
      return 0;
    });
  },
};

const tokenText = (t: { kind: number; value: Uint8Array }) => `${TOKEN_KIND_NAMES[t.kind - 1] ?? t.kind}:${Buffer.from(t.value).toString('hex')}`;
const queryText = (q: NonNullable<NonNullable<ReadCase['escalation']>['query']>) =>
  `epoch ${q.epoch}, tokens ${q.tokens.map(tokenText).join(', ') || '-'}, ${q.templates} template signature(s)`;

function escalationJson(e: ReadCase['escalation']) {
  if (!e) return undefined;
  const { query, ...rest } = e;
  return { ...rest, query: query ? { verified: true, log_index: query.logIndex, epoch: query.epoch, tokens: query.tokens.map(tokenText), templates: query.templates } : null };
}

export const caseRespond: Command = {
  name: 'case respond',
  summary: 'answer a case you were asked about with signed context, or decline',
  help: `Usage: cordon case respond CASE_ID (--decline | [--linked-accounts N] [--volume-band B] [--first-seen ISO] [--labels a,b] [--note TEXT]) [--node DIR] [--consortium ID]

Answers a case asked of you. The answer is signed with your node key and encrypted to the opener
(and you): the node cannot read it, and other providers asked never learn that you answered. A
decline is told to nobody but the node. Context not given is taken from this node's local records
(those published with publish --raw) for your records that matched: first seen, labels, and the
accounts your detector linked to them.

Options:
  --decline            decline to answer
  --linked-accounts N  how many of your accounts the matching records link
  --volume-band B      their request volume per day: ${VOLUME_BANDS.join(', ')}
  --first-seen ISO     when you first saw them
  --labels a,b         reason codes
  --note TEXT          free text for the opener
${NODE_HELP}

Example: cordon case respond cs-0123… --node nodes/p2 --linked-accounts 3 --volume-band 10k-100k --labels volume`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('case respond', argv, {
      ...NODE_OPTIONS, decline: { type: 'boolean' }, 'linked-accounts': { type: 'string' }, 'volume-band': { type: 'string' }, 'first-seen': { type: 'string' }, labels: { type: 'string' }, note: { type: 'string' },
    });
    const id = caseIdArg('case respond', positionals);
    if (values.decline) return withClient('case respond', values, async (client) => (io.out(`declined; case is ${status(await client.decline(id))}`), 0));
    const band = values['volume-band'];
    if (band !== undefined && !(VOLUME_BANDS as readonly string[]).includes(band)) throw new CordonError('INVALID_INPUT', `cordon case respond: --volume-band must be one of ${VOLUME_BANDS.join(', ')}, got '${band}'`);
    const firstSeen = values['first-seen'];
    if (firstSeen !== undefined && Number.isNaN(Date.parse(firstSeen))) throw new CordonError('INVALID_INPUT', `cordon case respond: --first-seen must be an ISO time, got '${firstSeen}'`);
    const linked = values['linked-accounts'] === undefined ? undefined : integerOption('case respond', values, 'linked-accounts', 0);
    return withClient('case respond', values, async (client) => {
      const summary = (await client.read(id)).summary;
      // Defaults from this provider's own records (those published with --raw), for whatever the analyst did not give.
      const local = await fromLocalRecords(await loadNodeConfig(values), summary.ownRecordIds);
      const linkedAccounts = linked ?? local?.linked_accounts;
      if (linkedAccounts === undefined) {
        throw new CordonError('INVALID_INPUT', `cordon case respond: this node has no local records for ${summary.ownRecordIds.join(', ') || 'the case'}; give --linked-accounts (or --decline)`);
      }
      const labels = values.labels !== undefined ? values.labels.split(',').filter(Boolean) : local?.labels ?? [];
      const seen = firstSeen ? new Date(firstSeen).toISOString() : local?.first_seen;
      const s = await client.answer(id, summary.opener, {
        linked_accounts: linkedAccounts, labels,
        ...(band ? { volume_band: band as VolumeBand } : {}), ...(seen ? { first_seen: seen } : {}), ...(values.note ? { note: values.note } : {}),
      });
      io.out(`answered; case is ${status(s)}`);
      return 0;
    });
  },
};

async function fromLocalRecords(config: ResolvedConfig, recordIds: readonly string[]): Promise<LocalContext | undefined> {
  const db = await openNodeDatabase(config);
  try {
    return await localContext(db.sql, recordIds);
  } finally {
    await db.close({ stopServer: false });
  }
}

export const caseEscalate: Command = {
  name: 'case escalate',
  summary: 'hand a case you opened to the regulator, who can then read it',
  help: `Usage: cordon case escalate CASE_ID [--node DIR] [--consortium ID]

Escalates a case you opened: its purpose, the answers you received (with their providers'
signatures) and the query with its salt (kept in case-openings/ when you opened the case) are
re-encrypted on this machine to the regulator and you. Nobody else gains a copy. The regulator
checks the query against the commitment in the node's transparency log.

Options:
${NODE_HELP}

Example: cordon case escalate cs-0123… --node nodes/p1`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('case escalate', argv, NODE_OPTIONS);
    const id = caseIdArg('case escalate', positionals);
    return withClient('case escalate', values, async (client, _membership, config) => {
      const kept = await loadOpening(config.dir, id);
      const opening = kept === undefined ? undefined : readOpening(kept, `case escalate: the opening kept for ${id}`).opening;
      if (!opening) io.err(`warning: no query opening for ${id} in ${config.dir} (opened from another node directory?): the regulator gets the case without the query`);
      io.out(`case ${id} is ${status(await client.escalate(id, opening))}`);
      return 0;
    });
  },
};

export const caseClose: Command = {
  name: 'case close',
  summary: 'close a case you opened',
  help: `Usage: cordon case close CASE_ID [--node DIR] [--consortium ID]

Closes a case you opened; nothing more can be added to it.

Options:
${NODE_HELP}

Example: cordon case close cs-0123… --node nodes/p1`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('case close', argv, NODE_OPTIONS);
    const id = caseIdArg('case close', positionals);
    return withClient('case close', values, async (client) => (io.out(`case ${id} is ${status(await client.close(id))}`), 0));
  },
};

export const caseProbing: Command = {
  name: 'case probing',
  summary: '(regulator) providers whose case queries mostly miss',
  help: `Usage: cordon case probing [--node DIR] [--consortium ID]

Lists the providers a consortium node flags as probing: at least policy.investigation.
probing_min_queries case queries in the last probing_window_days days, of which at least
probing_miss_ratio matched no other provider's records. For the regulator and consortium operators.

Options:
${NODE_HELP}

Example: cordon case probing --node nodes/reg`,
  async run(argv, io) {
    const { values } = parseCommandArgs('case probing', argv, NODE_OPTIONS, false);
    return withClient('case probing', values, async (client) => {
      const flags = await client.probingFlags();
      for (const f of flags) io.out(`${f.providerId}: ${f.misses} of ${f.queries} queries missed (${(f.missRatio * 100).toFixed(0)}%) in ${f.windowDays} days`);
      if (flags.length === 0) io.out('no provider flagged');
      return 0;
    });
  },
};
