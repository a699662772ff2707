import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CordonError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { ALERT_ID_KEY_KIND, ALERT_ID_KEY_ROLES, generateAlertIdKey } from '../../crypto/alert-id-key.js';
import { CONSORTIUM_SECRET_KIND, generateConsortiumSecret } from '../../crypto/consortium-secret.js';
import { ENC_KEY_FILE, parseEncPublicJwk, readEncryptionKey, type EncPublicJwk } from '../../crypto/encryption-key.js';
import { inspectSealedKey, loadSealedKey, openSealedKey, readSecretJweFile, sealKey, writeSecretJweFile, type SealedKeyKind } from '../../crypto/sealed-key.js';
import { verifyManifest } from '../../federation/membership/manifest-jws.js';
import { NODE_ID, ROLES, type Manifest, type Member, type Role } from '../../federation/membership/schema.js';
import { integerOption, parseCommandArgs, requireOption, type Command, type CommandIO } from '../command.js';
import { readManifestFile } from './manifest-file.js';

/**
 * Distributing the consortium's shared keys: the plaintext exists only in
 * memory; the issuer encrypts it to each recipient's X25519 key at once, and
 * a node decrypts its copy at start (crypto/sealed-key.ts).
 *
 * - `cordon consortium issue-secret` / `cordon secret install`: the
 *   consortium secret of shared-key token mode (tokens are keyed by it), for providers.
 * - `cordon consortium issue-alert-key` / `cordon alert-key install`: the
 *   alert-id key (crypto/alert-id-key.ts), for consortium and regulator nodes
 *   only. Both commands enforce that: the issuer needs the signed manifest to
 *   check each recipient's role, and install refuses a node of another role.
 *   A provider holding it could recompute alert ids and recover the
 *   counterparts `disclosure: count` withholds.
 */

/** The file name issue-secret writes for a member. */
export const secretFileName = (memberId: string): string => `${memberId}.secret.jwe`;
/** The file name issue-alert-key writes for a member. */
export const alertKeyFileName = (memberId: string): string => `${memberId}.alert-id-key.jwe`;

/** How one kind of shared key is issued and installed. */
interface SharedKeyCommands {
  readonly kind: SealedKeyKind;
  readonly issueCommand: string;
  readonly installCommand: string;
  fileName(memberId: string): string;
  generate(): Uint8Array;
  /** Roles that may hold the key; absent: whichever --roles names. */
  readonly holders?: readonly Role[];
  /** Recipients must be checked against a signed manifest (for the role rule above). */
  readonly needsManifest: boolean;
  /** What replacing an installed key does, for the --replace refusal. */
  readonly replaceEffect: string;
}

const SECRET: SharedKeyCommands = {
  kind: CONSORTIUM_SECRET_KIND,
  issueCommand: 'consortium issue-secret',
  installCommand: 'secret install',
  fileName: secretFileName,
  generate: generateConsortiumSecret,
  needsManifest: false,
  replaceEffect: 'changes every token',
};

const ALERT_KEY: SharedKeyCommands = {
  kind: ALERT_ID_KEY_KIND,
  issueCommand: 'consortium issue-alert-key',
  installCommand: 'alert-key install',
  fileName: alertKeyFileName,
  generate: generateAlertIdKey,
  holders: ALERT_ID_KEY_ROLES,
  needsManifest: true,
  replaceEffect: 'changes every alert id from then on (matching nodes change keys together, or their ids diverge)',
};

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
function mergeRecipients(spec: SharedKeyCommands, manifest: Manifest | undefined, roles: readonly string[], explicit: Recipient[]): Recipient[] {
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
      // The alert-id key's holder rule (see the top of this file).
      if (spec.holders && !spec.holders.includes(member.role)) {
        throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: is a ${member.role}; only ${spec.holders.join(' and ')} nodes may hold the ${spec.kind.noun}`);
      }
      const listed = byId.get(r.id);
      if (listed && listed.jwk.x !== r.jwk.x) throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: ${r.source} differs from the enc_jwk the manifest lists for it`);
    }
    const previous = byId.get(r.id);
    if (previous && previous.source !== 'manifest') throw new CordonError('INVALID_INPUT', `--recipient ${r.id}: given twice`);
    byId.set(r.id, r);
  }
  return [...byId.values()];
}

async function issue(spec: SharedKeyCommands, argv: string[], io: CommandIO): Promise<number> {
  const cmd = spec.issueCommand;
  const { values } = parseCommandArgs(cmd, argv, {
    recipient: { type: 'string', multiple: true }, manifest: { type: 'string' }, roles: { type: 'string' },
    from: { type: 'string' }, version: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' },
  }, false);
  const out = resolve(requireOption(cmd, values, 'out'));
  if (values.from !== undefined && values.version !== undefined) throw new CordonError('INVALID_INPUT', `--version: not with --from (a re-issued ${spec.kind.noun} keeps its version)`);
  if (spec.holders && values.roles !== undefined) throw new CordonError('INVALID_INPUT', `--roles: the ${spec.kind.noun} goes to ${spec.holders.join(' and ')} nodes, always`);
  const roles = spec.holders ?? (values.roles ?? 'provider').split(',').map((s) => s.trim()).filter(Boolean);
  for (const role of roles) if (!(ROLES as readonly string[]).includes(role)) throw new CordonError('INVALID_INPUT', `--roles: '${role}' is not one of ${ROLES.join(', ')}`);
  if (values.roles !== undefined && values.manifest === undefined) throw new CordonError('INVALID_INPUT', '--roles: only with --manifest');
  if (spec.needsManifest && values.manifest === undefined) {
    throw new CordonError('INVALID_INPUT', `--manifest is required: the ${spec.kind.noun} goes only to ${roles.join(' and ')} members, which the signed manifest names (see cordon ${cmd} --help)`);
  }

  let manifest: Manifest | undefined;
  if (values.manifest !== undefined) {
    const path = resolve(values.manifest);
    const { doc } = await readManifestFile(path);
    manifest = verifyManifest(doc, `manifest ${path}`);
  }
  const explicit: Recipient[] = [];
  for (const r of values.recipient ?? []) explicit.push(await readRecipient(r));
  if (!manifest && explicit.length === 0) throw new CordonError('INVALID_INPUT', `--recipient or --manifest is required (see cordon ${cmd} --help)`);
  const recipients = mergeRecipients(spec, manifest, roles, explicit);
  if (recipients.length === 0) {
    throw new CordonError('INVALID_INPUT', `no recipients: no active ${roles.join('/')} member of the manifest lists an enc_jwk; give --recipient ID=FILE`);
  }

  let key: Uint8Array;
  let version: number;
  let consortium = manifest?.consortium;
  if (values.from !== undefined) {
    const nodeDir = resolve(values.from);
    const loaded = await loadSealedKey(spec.kind, nodeDir);
    key = loaded.key;
    version = loaded.envelope.version;
    if (consortium !== undefined && loaded.envelope.consortium !== undefined && loaded.envelope.consortium !== consortium) {
      throw new CordonError('INVALID_INPUT', `--from ${nodeDir}: its ${spec.kind.noun} belongs to consortium '${loaded.envelope.consortium}', the manifest to '${consortium}'`);
    }
    consortium ??= loaded.envelope.consortium;
  } else {
    key = spec.generate();
    version = integerOption(cmd, values, 'version', 1, 1);
  }

  const files = recipients.map((r) => join(out, spec.fileName(r.id)));
  if (!values.force) {
    const existing = files.filter((f) => existsSync(f));
    if (existing.length > 0) throw new CordonError('INVALID_INPUT', `--out ${out}: already holds ${existing.join(', ')} (--force overwrites)`);
  }
  await mkdir(out, { recursive: true });
  const issuedAt = new Date();
  try {
    for (const [i, r] of recipients.entries()) {
      const jwe = await sealKey(spec.kind, key, { memberId: r.id, recipientJwk: r.jwk, version, issuedAt, ...(consortium !== undefined ? { consortium } : {}) });
      await writeSecretJweFile(files[i]!, jwe);
    }
    io.out(`${values.from !== undefined ? 're-issued' : 'issued'} ${spec.kind.noun} ${spec.kind.idOf(key)} (version ${version}${consortium !== undefined ? `, consortium '${consortium}'` : ''}) to ${recipients.length} member(s):`);
    for (const [i, r] of recipients.entries()) io.out(`  ${r.id.padEnd(20)} ${files[i]}`);
    io.out(`each member installs its file: cordon ${spec.installCommand} --node NODE_DIR FILE`);
  } finally {
    key.fill(0);
  }
  return 0;
}

async function install(spec: SharedKeyCommands, argv: string[], io: CommandIO): Promise<number> {
  const cmd = spec.installCommand;
  const { values, positionals } = parseCommandArgs(cmd, argv, { node: { type: 'string' }, replace: { type: 'boolean' } }, true);
  const config = await loadConfig(requireOption(cmd, values, 'node'));
  if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', `cordon ${cmd}: give exactly one ${spec.kind.label} file (see cordon ${cmd} --help)`);
  // The alert-id key's holder rule (see the top of this file).
  if (spec.holders && !spec.holders.includes(config.role)) {
    throw new CordonError('INVALID_INPUT', `cordon ${cmd}: '${config.id}' is a ${config.role} node; only ${spec.holders.join(' and ')} nodes may hold the ${spec.kind.noun}`);
  }
  const file = resolve(positionals[0]!);
  const jwe = await readSecretJweFile(file, spec.kind.label);
  const encKey = await readEncryptionKey(join(config.dir, ENC_KEY_FILE));
  const { key, envelope } = await openSealedKey(spec.kind, jwe, encKey, { memberId: config.id, where: `${spec.kind.label} ${file}` });
  key.fill(0);

  const target = join(config.dir, spec.kind.file);
  if (existsSync(target)) {
    let current: ReturnType<typeof inspectSealedKey> | undefined;
    try {
      current = inspectSealedKey(spec.kind, await readSecretJweFile(target, spec.kind.label), `${spec.kind.label} ${target}`);
    } catch {
      current = undefined; // unreadable: replacing it needs --replace all the same
    }
    if (current?.secretId === envelope.secretId) {
      io.out(`${spec.kind.noun} ${envelope.secretId} (version ${envelope.version}) is already installed on '${config.id}'`);
      return 0;
    }
    if (!values.replace) {
      throw new CordonError(
        'INVALID_INPUT',
        `${target} already holds ${current ? `${spec.kind.label} ${current.secretId} (version ${current.version})` : `a ${spec.kind.label}`}; installing ${envelope.secretId} (version ${envelope.version}) ${spec.replaceEffect}: --replace does it`,
      );
    }
  }
  await writeSecretJweFile(target, jwe);
  io.out(`installed ${spec.kind.noun} ${envelope.secretId} (version ${envelope.version}${envelope.consortium !== undefined ? `, consortium '${envelope.consortium}'` : ''}) on '${config.id}'`);
  io.out(`  ${target} (0600, encrypted to ${ENC_KEY_FILE})`);
  return 0;
}

export const consortiumIssueSecret: Command = {
  name: SECRET.issueCommand,
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
  run: (argv, io) => issue(SECRET, argv, io),
};

export const secretInstall: Command = {
  name: SECRET.installCommand,
  summary: "install the consortium secret on a node (kept encrypted)",
  help: `Usage: cordon secret install --node DIR FILE.jwe [--replace]

Checks that FILE, written by cordon consortium issue-secret, is addressed to the node
in DIR and decrypts with its encryption key (DIR/${ENC_KEY_FILE}), then copies it, still
encrypted, to DIR/${CONSORTIUM_SECRET_KIND.file} (mode 0600). The node decrypts it into memory
when it starts.

A node that holds a different secret keeps it unless --replace is given: tokens under
one secret never match tokens under another, so providers change secrets together
and re-tokenize their active records.

Options:
  --node DIR    the node's directory
  --replace     replace a different installed secret

Example:
  cordon secret install --node nodes/provider-a secrets/provider-a.secret.jwe`,
  run: (argv, io) => install(SECRET, argv, io),
};

export const consortiumIssueAlertKey: Command = {
  name: ALERT_KEY.issueCommand,
  summary: 'encrypt the alert-id key to each consortium and regulator node',
  help: `Usage: cordon consortium issue-alert-key --manifest FILE --out DIR [options]

Generates the alert-id key, under which matching nodes name alerts and template
links (HMAC-SHA256), encrypts it to the X25519 key of every active consortium and
regulator member of the signed manifest (JWE, ECDH-ES+A256KW, A256GCM) and writes
DIR/<member-id>.alert-id-key.jwe for each. The plaintext key is never written.
Each member runs cordon alert-key install; a consortium or regulator node does not
start without it.

Every matching node must hold the same key (providers watching two consortium nodes
deduplicate alerts by id). Providers must never hold it: with it, a provider could
recompute its alerts' ids for each member and learn the counterparts that
'disclosure: count' withholds. So recipients come from the manifest and must be
consortium or regulator members.

Options:
  --manifest FILE       the validly signed membership manifest (required)
  --recipient ID=FILE   also a consortium or regulator member whose manifest entry lists no
                        enc_jwk: its enc.pub.jwk or member entry (repeat)
  --from NODE_DIR       re-issue the key installed on this node (to add a consortium
                        node) instead of generating a new one
  --version N           a new key's generation (default 1)
  --out DIR             where to write the files (created if missing)
  --force               overwrite existing files in DIR

Examples:
  cordon consortium issue-alert-key --manifest manifest.json --out alert-keys
  cordon consortium issue-alert-key --manifest manifest.json --from nodes/c1 --out alert-keys`,
  run: (argv, io) => issue(ALERT_KEY, argv, io),
};

export const alertKeyInstall: Command = {
  name: ALERT_KEY.installCommand,
  summary: 'install the alert-id key on a consortium or regulator node (kept encrypted)',
  help: `Usage: cordon alert-key install --node DIR FILE.jwe [--replace]

Checks that DIR is a consortium or regulator node and that FILE, written by
cordon consortium issue-alert-key, is addressed to it and decrypts with its
encryption key (DIR/${ENC_KEY_FILE}), then copies it, still encrypted, to
DIR/${ALERT_ID_KEY_KIND.file} (mode 0600). The node decrypts it into memory when it starts.

A node that holds a different key keeps it unless --replace is given: alerts named
under one key get other ids under another, so matching nodes change keys together.

Options:
  --node DIR    the node's directory
  --replace     replace a different installed key

Example:
  cordon alert-key install --node nodes/c1 alert-keys/consortium-1.alert-id-key.jwe`,
  run: (argv, io) => install(ALERT_KEY, argv, io),
};
