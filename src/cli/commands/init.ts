import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ZodError } from 'zod';
import { CordonError, firstIssue } from '../../errors.js';
import { generateNodeKey, writePrivateJwk } from '../../crypto/keys.js';
import { createNodeEncryptionKey } from '../../crypto/encryption-key.js';
import { CONFIG_FILE } from '../../config/load.js';
import { configSchema } from '../../config/schema.js';
import { NODE_ID, ROLES, type Member } from '../../federation/membership/schema.js';
import { parseCommandArgs, requireOption, type Command } from '../command.js';

export const MEMBER_FILE = 'member.json';

/** The option of `cordon init` each configuration field comes from. */
const OPTION_OF: Readonly<Record<string, string>> = { id: 'id', role: 'role', organisation: 'org', listen: 'listen', http_listen: 'http-listen', database_url: 'database-url' };

/** The config schema's first complaint as one line naming the option that set the field, and its value. */
function initOptionError(error: ZodError, values: Record<string, unknown>): CordonError {
  const issue = error.issues[0];
  const option = OPTION_OF[String(issue?.path[0])];
  if (!issue || !option) return new CordonError('INVALID_INPUT', `cordon init: ${firstIssue(error)}`);
  return new CordonError('INVALID_INPUT', `--${option} '${String(values[option] ?? '')}': ${issue.message}`);
}

export const init: Command = {
  name: 'init',
  summary: 'create a node: Ed25519 key, config file and member entry',
  help: `Usage: cordon init --id ID --role provider|consortium|regulator --dir DIR [options]

Creates DIR with:
  key.jwk      the node's private Ed25519 key (mode 0600; never leaves the node)
  enc-key.jwk  its private X25519 key for secrets addressed to it (mode 0600)
  cordon.json  the node's configuration
  member.json  the public member entry to send to the consortium's founders

Options:
  --id ID              node id: 1–63 chars of a-z, 0-9, - (e.g. provider-a)
  --role ROLE          provider, consortium or regulator
  --org NAME           organisation name (default: the id)
  --dir DIR            the node's directory (must not hold a node yet)
  --listen HOST:PORT   gRPC address (default 127.0.0.1:7400)
  --http-listen HOST:PORT
                       HTTP address of the web console, /metrics and TAXII (default: none,
                       the node serves no HTTP); keep it on loopback unless fronted by TLS
  --database-url URL   use this PostgreSQL instead of an embedded one
  --json               print one JSON object: {id, role, dir, config, key, enc_key, member, next}

Example:
  cordon init --id provider-a --role provider --org "Lab A" --dir nodes/provider-a \\
      --listen 127.0.0.1:7501 --http-listen 127.0.0.1:7581`,
  async run(argv, io) {
    const { values } = parseCommandArgs('init', argv, {
      id: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, dir: { type: 'string' },
      listen: { type: 'string' }, 'http-listen': { type: 'string' }, 'database-url': { type: 'string' }, json: { type: 'boolean' },
    }, false);
    const id = requireOption('init', values, 'id');
    const role = requireOption('init', values, 'role');
    const dir = resolve(requireOption('init', values, 'dir'));
    if (!NODE_ID.test(id)) throw new CordonError('INVALID_INPUT', `--id '${id}': must be 1–63 chars of a-z, 0-9 and -, starting with a letter or digit`);
    if (!(ROLES as readonly string[]).includes(role)) throw new CordonError('INVALID_INPUT', `--role '${role}': must be one of ${ROLES.join(', ')}`);
    if (existsSync(join(dir, CONFIG_FILE)) || existsSync(join(dir, 'key.jwk'))) throw new CordonError('INVALID_INPUT', `--dir ${dir}: already holds a node`);
    const parsed = configSchema.safeParse({
      id, role, organisation: values.org ?? id,
      ...(values.listen !== undefined ? { listen: values.listen } : {}),
      // Validated by the same listen-address rule as --listen (config/listen.ts), through the schema.
      ...(values['http-listen'] !== undefined ? { http_listen: values['http-listen'] } : {}),
      ...(values['database-url'] !== undefined ? { database_url: values['database-url'] } : {}),
    });
    // Refused here, before anything is written, rather than when the node first starts.
    if (!parsed.success) throw initOptionError(parsed.error, values);
    const config = parsed.data;
    // 0711: the embedded PostgreSQL (run as an unprivileged user) must traverse
    // the directory to reach data/; nothing here is listable by others.
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o711);
    const { key, privateJwk } = generateNodeKey();
    await writePrivateJwk(join(dir, 'key.jwk'), privateJwk);
    await writeFile(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n', { mode: 0o644 });
    const encJwk = await createNodeEncryptionKey(dir);
    const member: Member = {
      id, organisation: config.organisation, role: config.role, jwk: key.publicJwk, enc_jwk: encJwk,
      endpoints: { grpc: config.listen }, status: 'active',
    };
    await writeFile(join(dir, MEMBER_FILE), JSON.stringify(member, null, 2) + '\n');
    // Matching nodes do not start without the alert-id key (federation/node/parts/matching.ts).
    const next = role === 'consortium' || role === 'regulator'
      ? [`install the alert-id key before it starts: cordon consortium issue-alert-key, then cordon alert-key install --node ${dir} FILE`]
      : [];
    const created = { config: join(dir, CONFIG_FILE), key: join(dir, 'key.jwk'), enc_key: join(dir, 'enc-key.jwk'), member: join(dir, MEMBER_FILE) };
    if (values.json) {
      io.out(JSON.stringify({ id, role, dir, ...created, next }, null, 2));
      return 0;
    }
    io.out(`created ${role} node '${id}' in ${dir}`);
    io.out(`  keys:   ${created.key}, ${created.enc_key} (0600)`);
    io.out(`  member: ${created.member} — send this to the consortium founders`);
    for (const step of next) io.out(`  ${step}`);
    return 0;
  },
};
