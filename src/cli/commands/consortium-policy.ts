import { resolve } from 'node:path';
import { CordonError, errorMessage } from '../../errors.js';
import { parseCommandArgs, requireOption, type Command } from '../command.js';
import { nextVersion, readManifestFile, writeManifestFile } from './manifest-file.js';

/** Parses KEY=VALUE; VALUE is JSON when it parses as JSON (numbers, booleans, objects), a string otherwise. */
function assignment(raw: string): { path: string[]; value: unknown } {
  const eq = raw.indexOf('=');
  if (eq < 1) throw new CordonError('INVALID_INPUT', `cordon consortium set-policy: --set needs KEY=VALUE, got '${raw}'`);
  const path = raw.slice(0, eq).split('.');
  if (path.some((p) => !/^[a-z][a-z0-9_]*$/.test(p))) throw new CordonError('INVALID_INPUT', `cordon consortium set-policy: '${raw.slice(0, eq)}' is not a policy key (lower-case words joined by _ and .)`);
  const text = raw.slice(eq + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // A bare word: keep it as a string.
  }
  return { path, value };
}

export const consortiumSetPolicy: Command = {
  name: 'consortium set-policy',
  summary: "change consortium-wide policy keys (makes the next version; founders sign again)",
  help: `Usage: cordon consortium set-policy --manifest FILE --set KEY=VALUE [--set KEY=VALUE …]

Sets policy keys of the manifest, bumps its version and clears the signatures (the payload
changed); founders then sign it and push it (cordon consortium sign / push). The result is
validated as a whole: an unknown value for a known key is refused, naming it.

VALUE is read as JSON when it parses (numbers, true/false, objects), as a string otherwise.
KEY may be dotted to reach a nested key (match.quarantine_records=32).

Examples:
  cordon consortium set-policy --manifest manifest.json --set token_mode=oblivious
  cordon consortium set-policy --manifest manifest.json --set token_epoch=2 --set oprf_evaluations_per_day=200000`,
  async run(argv, io) {
    const { values } = parseCommandArgs('consortium set-policy', argv, { manifest: { type: 'string' }, set: { type: 'string', multiple: true } }, false);
    const path = resolve(requireOption('consortium set-policy', values, 'manifest'));
    const sets = (values.set ?? []).map(assignment);
    if (sets.length === 0) throw new CordonError('INVALID_INPUT', 'cordon consortium set-policy: needs at least one --set KEY=VALUE');
    const { manifest } = await readManifestFile(path);
    let doc;
    try {
      doc = nextVersion(manifest, (m) => {
        for (const { path: keys, value } of sets) {
          let node = m.policy as Record<string, unknown>;
          for (const k of keys.slice(0, -1)) {
            if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
            node = node[k] as Record<string, unknown>;
          }
          node[keys[keys.length - 1]!] = value;
        }
        return m;
      });
    } catch (err) {
      const issue = (err as { issues?: { path: unknown[]; message: string }[] }).issues?.[0];
      throw new CordonError('INVALID_INPUT', issue ? `manifest ${issue.path.join('.')}: ${issue.message}` : errorMessage(err));
    }
    await writeManifestFile(path, doc);
    io.out(`set ${sets.map((s) => s.path.join('.')).join(', ')}: manifest v${manifest.version + 1}, unsigned (founders: cordon consortium sign)`);
    return 0;
  },
};
