import { readFile, rename, writeFile } from 'node:fs/promises';
import { CordonError, fileProblem, firstIssue } from '../../errors.js';
import { parseGeneralJws, readManifestPayload, unsignedManifest } from '../../federation/membership/manifest-jws.js';
import { memberSchema, type GeneralJws, type Manifest, type Member } from '../../federation/membership/schema.js';

/** Helpers shared by the `cordon consortium …` commands: manifest files and member files. */
export async function readManifestFile(path: string): Promise<{ doc: GeneralJws; manifest: Manifest }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `manifest ${path}: ${fileProblem(err)}`);
  }
  const doc = parseGeneralJws(text, `manifest ${path}`);
  return { doc, manifest: readManifestPayload(doc, `manifest ${path}`) };
}

export async function writeManifestFile(path: string, doc: GeneralJws): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(doc, null, 2) + '\n');
  await rename(tmp, path);
}

/** A changed manifest: next version, fresh issue time, and no signatures (the payload changed). */
export function nextVersion(manifest: Manifest, change: (m: Manifest) => Manifest): GeneralJws {
  const next = change(structuredClone(manifest));
  return unsignedManifest({ ...next, version: manifest.version + 1, issued_at: new Date().toISOString() });
}

export async function readMemberFile(path: string): Promise<Member> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `member file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'not JSON'}`);
  }
  const parsed = memberSchema.safeParse(json);
  if (!parsed.success) {
    throw new CordonError('INVALID_INPUT', `member file ${path}: ${firstIssue(parsed.error)}`);
  }
  return parsed.data;
}
