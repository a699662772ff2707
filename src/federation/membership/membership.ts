import type { KeyObject } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { CordonError, fileProblem } from '../../errors.js';
import { importPublicJwk } from '../../crypto/keys.js';
import { parseGeneralJws, verifyManifest } from './manifest-jws.js';
import type { GeneralJws, Manifest, Member, Role } from './schema.js';

/**
 * The manifest a node currently trusts, with its members' keys imported once.
 * Every authorization decision asks this object, so adopting a manifest that
 * revokes a key takes effect on the very next call.
 */
export class Membership {
  private doc: GeneralJws;
  private current: Manifest;
  private keys = new Map<string, KeyObject>();
  private readonly listeners = new Set<(m: Manifest) => void>();
  /** Settles when the updates queued so far are done (see update). */
  private updating: Promise<void> = Promise.resolve();

  private constructor(doc: GeneralJws, manifest: Manifest, private readonly path?: string) {
    this.doc = doc;
    this.current = manifest;
    this.indexKeys();
  }

  /** Loads and verifies the manifest file a node is configured with. */
  static async load(path: string): Promise<Membership> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new CordonError('INVALID_MANIFEST', `manifest ${path}: ${fileProblem(err)}`);
    }
    const doc = parseGeneralJws(text, `manifest ${path}`);
    return new Membership(doc, verifyManifest(doc, `manifest ${path}`), path);
  }

  static fromDocument(doc: GeneralJws, where = 'manifest'): Membership {
    return new Membership(doc, verifyManifest(doc, where));
  }

  get manifest(): Manifest {
    return this.current;
  }

  get document(): GeneralJws {
    return this.doc;
  }

  get version(): number {
    return this.current.version;
  }

  member(id: string): Member | undefined {
    return this.current.members.find((m) => m.id === id);
  }

  /** The member `id` if it is active (not unknown, suspended or revoked) and, when given, of `role`. */
  activeMember(id: string, role?: Role): Member | undefined {
    const m = this.member(id);
    return m && m.status === 'active' && (!role || m.role === role) ? m : undefined;
  }

  /** The public key of an active member; undefined for unknown, suspended or revoked ones. */
  activeKey(id: string): KeyObject | undefined {
    return this.activeMember(id) ? this.keys.get(id) : undefined;
  }

  /**
   * The public key the manifest lists for `id`, whatever its status: a
   * verifier checks an inactive member's signature before telling it that it
   * is inactive, so that only the key's holder learns it.
   */
  listedKey(id: string): KeyObject | undefined {
    return this.keys.get(id);
  }

  members(role?: Role): Member[] {
    return this.current.members.filter((m) => m.status === 'active' && (!role || m.role === role));
  }

  /**
   * Adopts a newer manifest if the current founders' threshold signed it.
   * Returns false for the version already held; throws for anything invalid.
   * Persists it (atomically) before it takes effect, so a restart keeps it.
   */
  update(doc: GeneralJws, where = 'manifest update'): Promise<boolean> {
    // One at a time: the same update often arrives twice at once (pushed by an operator and
    // relayed by a peer); run together, both wrote the one temporary file and the second
    // rename failed. In turn, the second finds the payload already current.
    const run = this.updating.then(() => this.apply(doc, where));
    this.updating = run.then(() => undefined, () => undefined);
    return run;
  }


  private async apply(doc: GeneralJws, where: string): Promise<boolean> {
    const incoming = parseGeneralJws(JSON.stringify(doc), where);
    if (incoming.payload === this.doc.payload) return false;
    const manifest = verifyManifest(incoming, where, this.current);
    if (this.path) {
      const tmp = `${this.path}.tmp-${process.pid}`;
      await writeFile(tmp, JSON.stringify(incoming, null, 2) + '\n', { mode: 0o644 });
      await rename(tmp, this.path);
    }
    this.doc = incoming;
    this.current = manifest;
    this.indexKeys();
    for (const listener of this.listeners) listener(manifest);
    return true;
  }

  onChange(listener: (m: Manifest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private indexKeys(): void {
    const keys = new Map<string, KeyObject>();
    for (const m of this.current.members) keys.set(m.id, this.keys.get(m.id) ?? importPublicJwk(m.jwk, `member ${m.id}`));
    // A re-keyed member gets its new key: compare by JWK x, not by id alone.
    for (const m of this.current.members) {
      const cached = keys.get(m.id)!;
      if ((cached.export({ format: 'jwk' }) as { x?: string }).x !== m.jwk.x) keys.set(m.id, importPublicJwk(m.jwk, `member ${m.id}`));
    }
    this.keys = keys;
  }
}
