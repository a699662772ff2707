import { CordonError, errorMessage } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import { Ristretto255 } from '../../crypto/oprf/group.js';
import { Membership } from '../../federation/membership/membership.js';
import { agreedKey } from '../../federation/oprf/client/agreed-key.js';
import { OprfClient } from '../../federation/oprf/client/oprf-client.js';
import { KeyCeremony, type CeremonyReport } from '../../federation/oprf/ceremony/coordinator.js';
import type { ResolvedConfig } from '../../config/schema.js';
import { integerOption, loadNodeConfig, parseCommandArgs, requireOption, type Command, type CommandIO } from '../command.js';

/** `cordon oprf keygen | reshare | status`: the oblivious-mode key of each epoch, held in shares by consortium nodes. */

async function consortiumOperator(values: { node?: string | boolean }, command: string): Promise<{ config: ResolvedConfig; ceremony: KeyCeremony }> {
  const config = await loadNodeConfig(values);
  if (config.role !== 'consortium') throw new CordonError('INVALID_INPUT', `cordon ${command}: node '${config.id}' is a ${config.role}; key ceremonies are run by a consortium node's operator`);
  const key = await readNodeKey(config.key_file);
  const membership = await Membership.load(config.manifest_file);
  return { config, ceremony: new KeyCeremony({ id: config.id, key: key.privateKey }, membership, await Ristretto255.load()) };
}

function holderList(raw: string | undefined, membership: () => Promise<Membership>): Promise<string[]> {
  if (raw !== undefined) return Promise.resolve(raw.split(',').map((s) => s.trim()).filter(Boolean));
  return membership().then((m) => m.members('consortium').filter((x) => x.endpoints.grpc).map((x) => x.id));
}

function printReport(io: CommandIO, verb: string, report: CeremonyReport): void {
  const k = report.key;
  io.out(`${verb} ${k.describe()}`);
  io.out(`  public key ${Buffer.from(k.publicKey).toString('hex')}`);
  io.out(`  dealt by ${report.dealers.join(', ')}`);
  for (const [i, h] of k.holders.entries()) io.out(`  share ${i + 1}: ${h}, public share ${Buffer.from(k.publicShare(i + 1)).toString('hex')}`);
  if (report.retired.length > 0) io.out(`  dropped their shares: ${report.retired.join(', ')}`);
  for (const w of report.warnings) io.err(`warning: ${w}`);
}

export const oprfKeygen: Command = {
  name: 'oprf keygen',
  summary: "generate an epoch's OPRF key as t-of-n shares across consortium nodes (oblivious mode)",
  help: `Usage: cordon oprf keygen --epoch N --threshold T [--holders ID,ID,…] [--node DIR]

Runs the key generation ceremony for epoch N among the holders (default: every active
consortium node with a gRPC endpoint). Each holder deals a random polynomial of degree T−1,
sealing one sub-share to each holder's encryption key; each holder sums what it was dealt.
The key itself never exists anywhere; T holders together can evaluate with it. Run by the
operator of a consortium node (DIR), which only relays signed deals and sealed sub-shares.

A node never generates a second key for an epoch: to change holders or threshold, reshare.
Then, for oblivious mode: cordon consortium set-policy --set token_mode=oblivious (and
token_epoch=N when moving to a new epoch), sign and push the manifest, and providers rotate.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('oprf keygen', argv, { node: { type: 'string' }, epoch: { type: 'string' }, threshold: { type: 'string' }, holders: { type: 'string' } }, false);
    requireOption('oprf keygen', values, 'epoch');
    requireOption('oprf keygen', values, 'threshold');
    const { config, ceremony } = await consortiumOperator(values, 'oprf keygen');
    try {
      const holders = await holderList(values.holders, () => Membership.load(config.manifest_file));
      const report = await ceremony.generate({ epoch: integerOption('oprf keygen', values, 'epoch', 0, 1), threshold: integerOption('oprf keygen', values, 'threshold', 0, 1), holders });
      printReport(io, 'generated', report);
      return 0;
    } finally {
      ceremony.close();
    }
  },
};

export const oprfReshare: Command = {
  name: 'oprf reshare',
  summary: "move an epoch's OPRF key to new holders or a new threshold, without changing it",
  help: `Usage: cordon oprf reshare --epoch N --holders ID,ID,… [--threshold T] [--node DIR]

Reshares epoch N's key (same key, so the same tokens) among new holders — a consortium
node joining or leaving — and/or with a new threshold T (default: the current one). The
current holders that answer (at least the current threshold) each deal their own share
on a fresh polynomial; each new holder combines what it was dealt with Lagrange
coefficients. The key never exists in one place. Holders that leave drop their shares
once every new holder has its share.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('oprf reshare', argv, { node: { type: 'string' }, epoch: { type: 'string' }, threshold: { type: 'string' }, holders: { type: 'string' } }, false);
    requireOption('oprf reshare', values, 'epoch');
    requireOption('oprf reshare', values, 'holders');
    const epoch = integerOption('oprf reshare', values, 'epoch', 0, 1);
    const { ceremony, config } = await consortiumOperator(values, 'oprf reshare');
    try {
      const holders = await holderList(values.holders, () => Membership.load(config.manifest_file));
      let threshold = integerOption('oprf reshare', values, 'threshold', 0, 0);
      if (threshold === 0) threshold = await currentThreshold(config, epoch);
      printReport(io, 'reshared', await ceremony.reshare({ epoch, threshold, holders }));
      return 0;
    } finally {
      ceremony.close();
    }
  },
};

async function currentThreshold(config: ResolvedConfig, epoch: number): Promise<number> {
  const { key, close } = await fetchAgreedKey(config, epoch);
  close();
  return key.threshold;
}

async function fetchAgreedKey(config: ResolvedConfig, epoch: number) {
  const nodeKey = await readNodeKey(config.key_file);
  const membership = await Membership.load(config.manifest_file);
  const clients = membership.members('consortium').filter((m) => m.endpoints.grpc).map((m) => new OprfClient({ id: config.id, key: nodeKey.privateKey }, { id: m.id, address: m.endpoints.grpc! }));
  const close = () => clients.forEach((c) => c.close());
  try {
    return { ...(await agreedKey(await Ristretto255.load(), membership, clients, epoch)), close };
  } catch (err) {
    close();
    throw err;
  }
}

export const oprfStatus: Command = {
  name: 'oprf status',
  summary: "show an epoch's OPRF key as the consortium nodes hold it",
  help: `Usage: cordon oprf status [--epoch N] [--node DIR]

Asks every consortium node for its signed key info for epoch N (default: the manifest's
policy.token_epoch) and prints the key its threshold of holders agree on, and any node
that disagrees or does not answer. Exit 1 when no key is agreed on.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('oprf status', argv, { node: { type: 'string' }, epoch: { type: 'string' } }, false);
    const config = await loadNodeConfig(values);
    const membership = await Membership.load(config.manifest_file);
    const epoch = integerOption('oprf status', values, 'epoch', membership.manifest.policy.token_epoch, 1);
    io.out(`token mode: ${membership.manifest.policy.token_mode}; budget ${membership.manifest.policy.oprf_evaluations_per_day} evaluations per provider per node per day`);
    try {
      const { key, vouchers, problems, close } = await fetchAgreedKey(config, epoch);
      close();
      io.out(`${key.describe()}: agreed by ${vouchers.join(', ')}`);
      io.out(`  public key ${Buffer.from(key.publicKey).toString('hex')}`);
      for (const p of problems) io.out(`  ${p}`);
      return 0;
    } catch (err) {
      io.err(`epoch ${epoch}: ${errorMessage(err)}`);
      return 1;
    }
  },
};
