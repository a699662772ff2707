import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CordonError, errorMessage } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import { PeerClient } from '../../federation/client/peer-client.js';
import { addSignature, unsignedManifest, validFounderSignatures } from '../../federation/membership/manifest-jws.js';
import type { Manifest, Member } from '../../federation/membership/schema.js';
import { integerOption, loadNodeConfig, parseCommandArgs, requireOption, type Command } from '../command.js';
import { nextVersion, readManifestFile, readMemberFile, writeManifestFile } from './manifest-file.js';

/** `cordon consortium create | add-member | revoke | sign | show | push`: the membership manifest's life. */
const signatureStatus = (doc: Parameters<typeof validFounderSignatures>[0], manifest: Manifest) => {
  const signers = validFounderSignatures(doc, manifest);
  return `${signers.length} of ${manifest.threshold} founders' signatures${signers.length ? ` (${signers.join(', ')})` : ''}${signers.length >= manifest.threshold ? ': valid' : ': not yet valid'}`;
};

export const consortiumCreate: Command = {
  name: 'consortium create',
  summary: 'start a membership manifest from member files',
  help: `Usage: cordon consortium create --name NAME --founders ID,ID,… --threshold M --member FILE… --out FILE

Writes version 1 of the manifest, unsigned; each founder then runs cordon consortium sign.

Options:
  --name NAME                 the consortium's name
  --member FILE               a member.json written by cordon init (repeat for each member)
  --founders ID,ID,…          the founders (n); each must be a member
  --threshold M               founders' signatures needed for the manifest to be valid (1 ≤ M ≤ n)
  --disclosure names|count    whether providers learn each other's names in overlaps (default count)
  --regulator-min-providers K the regulator sees campaigns spanning ≥ K providers (default 2)
  --policy FILE               more policy keys as a JSON object (e.g. {"match": {"quarantine_records": 32,
                              "never_match": [...]}}); --disclosure and --regulator-min-providers win
  --out FILE                  where to write the manifest`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium create', argv, {
      name: { type: 'string' }, member: { type: 'string', multiple: true }, founders: { type: 'string' }, threshold: { type: 'string' },
      disclosure: { type: 'string' }, 'regulator-min-providers': { type: 'string' }, policy: { type: 'string' }, out: { type: 'string' },
    }, false);
    let extraPolicy: Record<string, unknown> = {};
    if (values.policy) {
      const text = await readFile(values.policy, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CordonError('INVALID_INPUT', `--policy ${values.policy}: ${err.code === 'ENOENT' ? 'does not exist' : err.message}`);
      });
      try {
        extraPolicy = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new CordonError('INVALID_INPUT', `--policy ${values.policy}: not valid JSON (${(err as Error).message})`);
      }
      if (!extraPolicy || typeof extraPolicy !== 'object' || Array.isArray(extraPolicy)) throw new CordonError('INVALID_INPUT', `--policy ${values.policy}: must be a JSON object`);
    }
    const out = resolve(requireOption('consortium create', values, 'out'));
    const memberFiles = values.member ?? [];
    if (memberFiles.length === 0) throw new CordonError('INVALID_INPUT', '--member is required (at least one member.json)');
    const members: Member[] = [];
    for (const f of memberFiles) members.push(await readMemberFile(f));
    const founders = requireOption('consortium create', values, 'founders').split(',').map((s) => s.trim()).filter(Boolean);
    const manifest = {
      consortium: requireOption('consortium create', values, 'name'),
      version: 1,
      issued_at: new Date().toISOString(),
      threshold: integerOption('consortium create', values, 'threshold', 0, 1),
      founders,
      members,
      policy: {
        ...extraPolicy,
        disclosure: (values.disclosure ?? extraPolicy.disclosure ?? 'count') as 'names' | 'count',
        regulator_min_providers: integerOption('consortium create', values, 'regulator-min-providers', typeof extraPolicy.regulator_min_providers === 'number' ? extraPolicy.regulator_min_providers : 2, 1),
      },
    };
    let doc;
    try {
      doc = unsignedManifest(manifest);
    } catch (err) {
      const issue = (err as { issues?: { path: unknown[]; message: string }[] }).issues?.[0];
      throw new CordonError('INVALID_INPUT', issue ? `manifest ${issue.path.join('.')}: ${issue.message}` : errorMessage(err));
    }
    await writeManifestFile(out, doc);
    io.out(`wrote manifest v1 of '${manifest.consortium}' to ${out}: ${members.length} members, ${founders.length} founders, threshold ${manifest.threshold}; unsigned`);
    return 0;
  },
};

export const consortiumSign: Command = {
  name: 'consortium sign',
  summary: "add a founder's signature to a manifest",
  help: `Usage: cordon consortium sign --manifest FILE --node DIR

Signs the manifest's exact payload with the key of the founder node in DIR and writes the file back.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium sign', argv, { manifest: { type: 'string' }, node: { type: 'string' } }, false);
    const path = resolve(requireOption('consortium sign', values, 'manifest'));
    requireOption('consortium sign', values, 'node');
    const config = await loadNodeConfig(values);
    const key = await readNodeKey(config.key_file);
    const { doc, manifest } = await readManifestFile(path);
    if (!manifest.founders.includes(config.id)) throw new CordonError('INVALID_INPUT', `node '${config.id}' is not a founder of this manifest (founders: ${manifest.founders.join(', ')})`);
    const signed = addSignature(doc, config.id, key.privateKey);
    await writeManifestFile(path, signed);
    io.out(`signed manifest v${manifest.version} as ${config.id}: ${signatureStatus(signed, manifest)}`);
    return 0;
  },
};

export const consortiumAddMember: Command = {
  name: 'consortium add-member',
  summary: 'add a member (makes the next version; founders sign again)',
  help: `Usage: cordon consortium add-member --manifest FILE --member MEMBER.json

Adds the member, bumps the version and clears the signatures (the payload changed).`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium add-member', argv, { manifest: { type: 'string' }, member: { type: 'string' } }, false);
    const path = resolve(requireOption('consortium add-member', values, 'manifest'));
    const member = await readMemberFile(requireOption('consortium add-member', values, 'member'));
    const { manifest } = await readManifestFile(path);
    if (manifest.members.some((m) => m.id === member.id)) throw new CordonError('INVALID_INPUT', `member '${member.id}' is already in the manifest`);
    const doc = nextVersion(manifest, (m) => ({ ...m, members: [...m.members, member] }));
    await writeManifestFile(path, doc);
    io.out(`added ${member.role} '${member.id}': manifest v${manifest.version + 1}, unsigned (founders: cordon consortium sign)`);
    return 0;
  },
};

export const consortiumRevoke: Command = {
  name: 'consortium revoke',
  summary: "revoke (or suspend) a member's key",
  help: `Usage: cordon consortium revoke --manifest FILE --id ID [--suspend]

Marks the member revoked (or suspended), bumps the version and clears the signatures.
Once the founders sign it and it is pushed, every node refuses that key at once.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium revoke', argv, { manifest: { type: 'string' }, id: { type: 'string' }, suspend: { type: 'boolean' } }, false);
    const path = resolve(requireOption('consortium revoke', values, 'manifest'));
    const id = requireOption('consortium revoke', values, 'id');
    const { manifest } = await readManifestFile(path);
    if (!manifest.members.some((m) => m.id === id)) throw new CordonError('INVALID_INPUT', `no member '${id}' in the manifest`);
    const status = values.suspend ? 'suspended' : 'revoked';
    const doc = nextVersion(manifest, (m) => ({ ...m, members: m.members.map((x) => (x.id === id ? { ...x, status } : x)) }));
    await writeManifestFile(path, doc);
    io.out(`${status} '${id}': manifest v${manifest.version + 1}, unsigned (founders: cordon consortium sign)`);
    return 0;
  },
};

export const consortiumShow: Command = {
  name: 'consortium show',
  summary: 'print a manifest and whether it is validly signed',
  help: `Usage: cordon consortium show --manifest FILE [--json]`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium show', argv, { manifest: { type: 'string' }, json: { type: 'boolean' } }, false);
    const { doc, manifest } = await readManifestFile(resolve(requireOption('consortium show', values, 'manifest')));
    if (values.json) {
      io.out(JSON.stringify({ ...manifest, signers: validFounderSignatures(doc, manifest) }, null, 2));
      return 0;
    }
    io.out(`${manifest.consortium} v${manifest.version} (issued ${manifest.issued_at}): ${signatureStatus(doc, manifest)}`);
    io.out(`policy: ${JSON.stringify(manifest.policy)}`);
    for (const m of manifest.members) {
      io.out(`  ${m.id.padEnd(20)} ${m.role.padEnd(10)} ${m.status.padEnd(9)} ${m.endpoints.grpc ?? '-'}  ${m.organisation}${manifest.founders.includes(m.id) ? '  (founder)' : ''}`);
    }
    return 0;
  },
};

export const consortiumPush: Command = {
  name: 'consortium push',
  summary: 'send a signed manifest to every consortium node',
  help: `Usage: cordon consortium push --manifest FILE --node DIR

Calls UpdateManifest on every consortium node listed in the manifest, as the node in DIR.
Nodes adopt it only if their current founders' threshold signed it; the regulator and
providers pick it up from the consortium nodes.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium push', argv, { manifest: { type: 'string' }, node: { type: 'string' } }, false);
    const { doc, manifest } = await readManifestFile(resolve(requireOption('consortium push', values, 'manifest')));
    requireOption('consortium push', values, 'node');
    const config = await loadNodeConfig(values);
    const key = await readNodeKey(config.key_file);
    const targets = manifest.members.filter((m) => m.role === 'consortium' && m.status === 'active' && m.endpoints.grpc);
    let failed = 0;
    for (const t of targets) {
      const client = new PeerClient({ id: config.id, key: key.privateKey }, { id: t.id, address: t.endpoints.grpc! });
      try {
        const res = await client.updateManifest(JSON.stringify(doc));
        io.out(`${t.id}: now at manifest v${res.version}`);
      } catch (err) {
        failed++;
        io.err(`${t.id}: ${errorMessage(err)}`);
      } finally {
        client.close();
      }
    }
    return failed === 0 ? 0 : 1;
  },
};
