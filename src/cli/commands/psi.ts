import { resolve } from 'node:path';
import { readNodeKey } from '../../crypto/keys.js';
import { CordonError } from '../../errors.js';
import { Membership } from '../../federation/membership/membership.js';
import { initiatePsi } from '../../investigate/psi/node/initiate.js';
import { OfferStore } from '../../investigate/psi/node/offers.js';
import { writeIntersection, writeSessionRecord } from '../../investigate/psi/node/session-records.js';
import { modeName, modeOf } from '../../investigate/psi/protocol/modes.js';
import type { PsiProgress } from '../../investigate/psi/protocol/party.js';
import { readSetFile, SET_KINDS, type SetKind } from '../../investigate/psi/set/read-set-file.js';
import { integerOption, loadNodeConfig, parseCommandArgs, requireOption, type Command, type CommandIO } from '../command.js';
import { QUIET_HELP, QUIET_OPTION, startProgress } from '../progress.js';

/** How long a staged offer waits for its peer by default. */
const DEFAULT_OFFER_TTL_S = 24 * 3600;

export const psi: Command = {
  name: 'psi',
  summary: 'private set intersection with a peer provider (ECDH over X25519, directly between the two nodes)',
  help: `Usage: cordon psi --peer ID --set FILE --mode both|one|size [--kind KIND] [--out FILE] [--node DIR]
       cordon psi --respond --peer ID --set FILE --mode both|one|size [--kind KIND] [--out FILE]
                  [--expires SECONDS] [--node DIR]

Computes the intersection of this provider's set with peer provider ID's set, directly
between the two nodes (gRPC stream, DESIGN.md §6), so that neither learns the other's
other elements. Both parties learn both set sizes. Modes:
  both   both parties learn the intersection
  one    this party (the initiator) learns it; the peer learns nothing more
  size   this party learns only how many elements are shared

The peer's operator consents first, on the peer's node, with --respond: that stages an
offer for this node in one mode and kind, with the peer's own set (and, in mode both,
where to write the peer's result). The peer's running node answers one session per offer.

Set file: UTF-8 text, one element per line. Leading and trailing whitespace is trimmed;
empty lines and lines starting with '#' are skipped; repeats count once. At most
10,000,000 distinct elements. --kind (default raw) normalizes each line first, as tokens
are (email, phone, ip, asn, payment, device, org_domain, api_key), so that two providers'
spellings of one identifier match; both parties must use the same kind.

Output: the elements this party learned, one per line, to --out FILE (0600) or stdout; in
mode size, the count. Progress (silenced by --quiet) and the session summary go to stderr. Elements never leave
the node: only blinded curve points travel. Afterwards both parties' signatures over the
summary (sizes, mode, times, session id) are recorded in every consortium node's
transparency log. Exit 0 once the result is complete and at least one consortium node
recorded it; 1 if no node recorded it (the result stands; the signed summary is kept in
the data directory).

Options:
${QUIET_HELP}

Example:
  peer$  cordon psi --respond --peer lab-a --set cards.txt --kind payment --mode one
  lab-a$ cordon psi --peer lab-b --set cards.txt --kind payment --mode one --out shared.txt`,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      'psi',
      argv,
      {
        node: { type: 'string' },
        peer: { type: 'string' },
        set: { type: 'string' },
        mode: { type: 'string' },
        kind: { type: 'string' },
        out: { type: 'string' },
        respond: { type: 'boolean' },
        expires: { type: 'string' },
        ...QUIET_OPTION,
      },
      false,
    );
    const peerId = requireOption('psi', values, 'peer');
    const setFile = resolve(requireOption('psi', values, 'set'));
    const mode = modeOf(requireOption('psi', values, 'mode'));
    const kind = (values.kind ?? 'raw') as SetKind;
    if (!SET_KINDS.includes(kind)) throw new CordonError('INVALID_INPUT', `cordon psi: --kind must be one of ${SET_KINDS.join(', ')}, got '${kind}'`);
    const config = await loadNodeConfig(values);
    if (config.role !== 'provider') throw new CordonError('INVALID_INPUT', `node '${config.id}' is a ${config.role}; PSI runs between providers`);
    const membership = await Membership.load(config.manifest_file);
    const peer = membership.member(peerId);
    if (!peer || peer.role !== 'provider') throw new CordonError('INVALID_INPUT', `cordon psi: --peer '${peerId}' is not a provider in the manifest`);
    // Read (and so check) the set now, on either side, so a bad line fails here and not mid-session.
    const set = await readSetFile(setFile, kind);

    if (values.respond) {
      const ttl = integerOption('psi', values, 'expires', DEFAULT_OFFER_TTL_S, 1);
      const now = Date.now();
      const out = typeof values.out === 'string' ? resolve(values.out) : undefined;
      const path = await new OfferStore(config.data_dir).put({
        peer: peerId, mode: modeName(mode), kind, set_file: setFile, ...(out ? { out_file: out } : {}), created_ms: now, expires_ms: now + ttl * 1000,
      });
      io.out(`offer staged (${path}): node '${config.id}' answers one ${modeName(mode)} session from '${peerId}' with ${set.elements.length} ${kind} elements until ${new Date(now + ttl * 1000).toISOString()}`);
      if (modeName(mode) === 'both') io.out(out ? `its result goes to ${out}` : 'its result is not written anywhere (no --out); the session record is kept in the data directory');
      return 0;
    }

    const key = await readNodeKey(config.key_file);
    io.err(`psi with '${peerId}', mode ${modeName(mode)}: ${set.elements.length} ${kind} elements`);
    const { outcome, recorded } = await initiatePsi({
      self: { id: config.id, key: key.privateKey },
      membership,
      peerId,
      set,
      mode,
      onProgress: progressDisplay(io, values),
    });
    await writeSessionRecord(config.data_dir, 'initiator', peerId, outcome);

    const session = Buffer.from(outcome.sessionId).toString('hex');
    if (outcome.intersection) {
      if (typeof values.out === 'string') await writeIntersection(resolve(values.out), outcome.intersection);
      else for (const e of outcome.intersection) io.out(e);
    } else io.out(String(outcome.intersectionSize));
    io.err(`session ${session}: |ours| ${outcome.ownSetSize}, |theirs| ${outcome.peerSetSize}, intersection ${outcome.intersectionSize}${typeof values.out === 'string' && outcome.intersection ? ` → ${values.out}` : ''}`);
    for (const r of recorded) io.err(r.error ? `  not recorded at ${r.node}: ${r.error}` : `  recorded at ${r.node} (log index ${r.logIndex})`);
    return recorded.some((r) => r.logIndex !== undefined) ? 0 : 1;
  },
};

/**
 * Both lists (ours blinded and sent, theirs blinded again) count towards one
 * total, known once the peer's size has arrived; until then, counts only.
 */
function progressDisplay(io: CommandIO, values: { quiet?: boolean }): (p: PsiProgress) => void {
  const progress = startProgress(io, values, { label: 'psi', unit: 'elements' });
  const latest = { own: { done: 0, total: 0 }, peer: { done: 0, total: 0 } };
  return (p) => {
    latest[p.list] = { done: p.done, total: p.total };
    const { own, peer } = latest;
    if (own.total > 0 && peer.total > 0) progress.setTotal(own.total + peer.total);
    progress.update(own.done + peer.done, `ours blinded and sent ${own.done}/${own.total}, theirs blinded ${peer.done}/${peer.total}`);
    if (own.total > 0 && peer.total > 0 && own.done >= own.total && peer.done >= peer.total) progress.end();
  };
}
