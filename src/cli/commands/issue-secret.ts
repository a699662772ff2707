import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CordonError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import {
  CONSORTIUM_SECRET_FILE,
  decryptConsortiumSecret,
  encryptConsortiumSecret,
  generateConsortiumSecret,
  inspectSecretJwe,
  loadConsortiumSecret,
  readSecretJweFile,
  writeSecretJweFile,
} from '../../crypto/consortium-secret.js';
import { ENC_KEY_FILE, parseEncPublicJwk, readEncryptionKey, type EncPublicJwk } from '../../crypto/encryption-key.js';
import { consortiumSecretId } from '../../crypto/prf/shared-key-prf.js';
import { verifyManifest } from '../../federation/membership/manifest-jws.js';
import { NODE_ID, ROLES, type Manifest, type Member } from '../../federation/membership/schema.js';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.js';
import { readManifestFile } from './manifest-file.js';

/**
 * `cordon consortium issue-secret` and `cordon secret install`: distributing
 * the consortium secret of shared-key token mode (DESIGN §4). The secret
 * exists in plaintext only in memory: the issuer encrypts it to each
 * recipient's X25519 key at once, and a node decrypts its copy at start.
 */

/** The file name issue-secret writes for a member. */
export const secretFileName = (memberId: string): string => `${memberId}.secret.jwe`;

/** A member's public encryption key, as the manifest will carry it (`enc_jwk`); optional until every member has one. */
const encJwkOf = (member: Member): unknown => (member as Member & { enc_jwk?: unknown }).enc_jwk;

interface Recipient {
  readonly id: string;
  readonly jwk: EncPublicJwk;
  readonly source: string;
}

/** Reads `ID=FILE`: FILE is a public X25519 JWK (enc.pub.jwk) or a member entry carrying `enc_jwk`. */
async function readRecipient(spec: string): Promise<Recipient> {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new CordonError('INVALID_INPUT', `--recipient '${spec}': must be ID=FILE (a member id and its enc.pub.jwk)`);
  const id = spec.slice(0, eq);
  const file = spec.slice(eq + 1);
  if (!NODE_ID.test(id)) throw new CordonError('INVALID_INPUT', `--recipient '${spec}': '${id}' is not a node id`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CordonError('INVALID_INPUT', `--recipient ${id}: ${file}: ${code === 'ENOENT' ? 'does not exist' : code ? (err as Error).message : 'not JSON'}`);
  }
  const obj = json as { kty?: unknown; id?: unknown; enc_jwk?: unknown } | null;
  if (obj && typeof obj === 'object' && 'enc_jwk' in obj) {
    if (obj.id !== undefined && obj.id !== id) throw new CordonError('INVALID_INPUT', `--recipient ${id}: ${file} is the member entry of '${String(obj.id)}'`);
    return { id, jwk: parseEncPublicJwk(obj.enc_jwk, `--recipient ${id}: ${file}: enc_jwk`), source: file };
  }
  return { id, jwk: parseEncPublicJwk(json, `--recipient ${id}: ${file}`), source: file };
}

/** The recipients: the manifest's (active, of the given roles, with enc_jwk) and the explicit ones, checked against each other. */
function mergeRecipients(manifest: Manifest | undefined, roles: readonly string[], explicit: Recipient[]): Recipient[] {
  const byId = new Map<string, Recipient>();
  if (manifest) {
    for (const m of manifest.members) {
      const jwk = encJwkOf(m);
      if (m.status !== 'active' || !roles.includes(m.role) || jwk === undefined) continue;
      byId.set(m.id, { id: m.id, jwk: parseEncPublicJwk(jwk, `manifest member ${m.id}: enc_jwk`), source: 'manifest' });
    }
  }
  for (const r of explicit) {
    if (manifest) {
      const member = manifest.members.find((m) => m.id === r.id);
      if (!member) throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: not a member of the manifest`);
      if (member.status !== 'active') throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: member is ${member.status}`);
      const listed = byId.get(r.id);
      if (listed && listed.jwk.x !== r.jwk.x) throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: ${r.source} differs from the enc_jwk the manifest lists for it`);
    }
    const previous = byId.get(r.id);
    if (previous && previous.source !== 'manifest') throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: given twice`);
    byId.set(r.id, r);
  }
  return [...byId.values()];
}

export const consortiumIssueSecret: Command = {
  name: 'consortium issue-secret',
  summary: 'encrypt the consortium secret (shared-key tokens) to each member',
  help: `Usage: cordon consortium issue-secret --out DIR (--recipient ID=FILE… | --manifest FILE) [options]

Generates the consortium secret from which every epoch's token and template keys
derive, encrypts it to each recipient's X25519 encryption key (JWE, ECDH-ES+A256KW,
A256GCM) and writes DIR/<member-id>.secret.jwe for each. The plaintext secret is
never written anywhere. Send each member its file (useless to anyone else); the
member runs cordon secret install.

Every holder of the secret can compute tokens of guessed identifiers offline, so
issue it only to the nodes that tokenize: providers.

Options:
  --recipient ID=FILE   a recipient and its public encryption key: the enc.pub.jwk that
                        cordon init wrote, or a member entry carrying enc_jwk (repeat)
  --manifest FILE       the validly signed membership manifest: its active members of
                        --roles that list an enc_jwk become recipients, and each
                        --recipient must be an active member
  --roles LIST          with --manifest: roles that receive the secret (default provider)
  --from NODE_DIR       re-issue the secret installed on this node (to add a member)
                        instead of generating a new one
  --version N           a new secret's generation (default 1; 2, 3, … when replacing one)
  --out DIR             where to write the files (created if missing)
  --force               overwrite existing files in DIR

Examples:
  cordon consortium issue-secret --recipient provider-a=nodes/provider-a/enc.pub.jwk \\
      --recipient provider-b=nodes/provider-b/enc.pub.jwk --out secrets
  cordon consortium issue-secret --from nodes/provider-a --recipient provider-c=enc.pub.jwk --out secrets`,
  async run(argv, io) {
    const cmd = 'consortium issue-secret';
    const { values } = parseCommandArgs(cmd, argv, {
      recipient: { type: 'string', multiple: true }, manifest: { type: 'string' }, roles: { type: 'string' },
      from: { type: 'string' }, version: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' },
    }, false);
    const out = resolve(requireOption(cmd, values, 'out'));
    if (values.from !== undefined && values.version !== undefined) throw new CordonError('INVALID_INPUT', '--version: not with --from (a re-issued secret keeps its version)');
    const roles = (values.roles ?? 'provider').split(',').map((s) => s.trim()).filter(Boolean);
    for (const role of roles) if (!(ROLES as readonly string[]).includes(role)) throw new CordonError('INVALID_INPUT', `--roles: '${role}' is not one of ${ROLES.join(', ')}`);
    if (values.roles !== undefined && values.manifest === undefined) throw new CordonError('INVALID_INPUT', '--roles: only with --manifest');

    let manifest: Manifest | undefined;
    if (values.manifest !== undefined) {
      const path = resolve(values.manifest);
      const { doc } = await readManifestFile(path);
      manifest = verifyManifest(doc, `manifest ${path}`);
    }
    const explicit: Recipient[] = [];
    for (const spec of values.recipient ?? []) explicit.push(await readRecipient(spec));
    if (!manifest && explicit.length === 0) throw new CordonError('INVALID_INPUT', '--recipient or --manifest is required (see cordon consortium issue-secret --help)');
    const recipients = mergeRecipients(manifest, roles, explicit);
    if (recipients.length === 0) {
      throw new CordonError('INVALID_INPUT', `no recipients: no active ${roles.join('/')} member of the manifest lists an enc_jwk; give --recipient ID=FILE`);
    }

    let secret: Uint8Array;
    let version: number;
    let consortium = manifest?.consortium;
    if (values.from !== undefined) {
      const nodeDir = resolve(values.from);
      const loaded = await loadConsortiumSecret(nodeDir);
      secret = loaded.secret;
      version = loaded.envelope.version;
      if (consortium !== undefined && loaded.envelope.consortium !== undefined && loaded.envelope.consortium !== consortium) {
        throw new CordonError('INVALID_INPUT', `--from ${nodeDir}: its secret belongs to consortium '${loaded.envelope.consortium}', the manifest to '${consortium}'`);
      }
      consortium ??= loaded.envelope.consortium;
    } else {
      secret = generateConsortiumSecret();
      version = integerOption(cmd, values, 'version', 1, 1);
    }

    const files = recipients.map((r) => join(out, secretFileName(r.id)));
    if (!values.force) {
      const existing = files.filter((f) => existsSync(f));
      if (existing.length > 0) throw new CordonError('INVALID_INPUT', `--out ${out}: already holds ${existing.join(', ')} (--force overwrites)`);
    }
    await mkdir(out, { recursive: true });
    const issuedAt = new Date();
    try {
      for (const [i, r] of recipients.entries()) {
        const jwe = await encryptConsortiumSecret(secret, { memberId: r.id, recipientJwk: r.jwk, version, issuedAt, ...(consortium !== undefined ? { consortium } : {}) });
        await writeSecretJweFile(files[i]!, jwe);
      }
      io.out(`${values.from !== undefined ? 're-issued' : 'issued'} consortium secret ${consortiumSecretId(secret)} (version ${version}${consortium !== undefined ? `, consortium '${consortium}'` : ''}) to ${recipients.length} member(s):`);
      for (const [i, r] of recipients.entries()) io.out(`  ${r.id.padEnd(20)} ${files[i]}`);
      io.out('each member installs its file: cordon secret install --node NODE_DIR FILE');
    } finally {
      secret.fill(0);
    }
    return 0;
  },
};

export const secretInstall: Command = {
  name: 'secret install',
  summary: "install the consortium secret on a node (kept encrypted)",
  help: `Usage: cordon secret install --node DIR FILE.jwe [--replace]

Checks that FILE, written by cordon consortium issue-secret, is addressed to the node
in DIR and decrypts with its encryption key (DIR/${ENC_KEY_FILE}), then copies it, still
encrypted, to DIR/${CONSORTIUM_SECRET_FILE} (mode 0600). The node decrypts it into memory
when it starts.

A node that holds a different secret keeps it unless --replace is given: tokens under
one secret never match tokens under another, so providers change secrets together
and re-tokenize their active records.

Options:
  --node DIR    the node's directory
  --replace     replace a different installed secret

Example:
  cordon secret install --node nodes/provider-a secrets/provider-a.secret.jwe`,
  async run(argv, io) {
    const cmd = 'secret install';
    const { values, positionals } = parseCommandArgs(cmd, argv, { node: { type: 'string' }, replace: { type: 'boolean' } }, true);
    const config = await loadConfig(requireOption(cmd, values, 'node'));
    if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', `cordon ${cmd}: give exactly one secret file (see cordon ${cmd} --help)`);
    const file = resolve(positionals[0]!);
    const jwe = await readSecretJweFile(file);
    const key = await readEncryptionKey(join(config.dir, ENC_KEY_FILE));
    const { secret, envelope } = await decryptConsortiumSecret(jwe, key, { memberId: config.id, where: `secret ${file}` });
    secret.fill(0);

    const target = join(config.dir, CONSORTIUM_SECRET_FILE);
    if (existsSync(target)) {
      let current: ReturnType<typeof inspectSecretJwe> | undefined;
      try {
        current = inspectSecretJwe(await readSecretJweFile(target), `secret ${target}`);
      } catch {
        current = undefined; // unreadable: replacing it needs --replace all the same
      }
      if (current?.secretId === envelope.secretId) {
        io.out(`consortium secret ${envelope.secretId} (version ${envelope.version}) is already installed on '${config.id}'`);
        return 0;
      }
      if (!values.replace) {
        throw new CordonError(
          'INVALID_INPUT',
          `${target} already holds ${current ? `secret ${current.secretId} (version ${current.version})` : 'a secret'}; installing ${envelope.secretId} (version ${envelope.version}) changes every token: --replace does it`,
        );
      }
    }
    await writeSecretJweFile(target, jwe);
    io.out(`installed consortium secret ${envelope.secretId} (version ${envelope.version}${envelope.consortium !== undefined ? `, consortium '${envelope.consortium}'` : ''}) on '${config.id}'`);
    io.out(`  ${target} (0600, encrypted to ${ENC_KEY_FILE})`);
    return 0;
  },
};
