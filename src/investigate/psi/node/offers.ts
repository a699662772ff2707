import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CordonError, fileProblem, firstIssue } from '../../../errors.js';
import { nodeIdSchema } from '../../../federation/membership/schema.js';
import { SET_KINDS } from '../set/read-set-file.js';

/**
 * A responder's consent: its operator agrees to answer one PSI session from
 * one peer, in one mode, with one set file, until it expires. Offers are
 * files in the node's data directory (data_dir/psi/offers/PEER.json), written
 * by `cordon psi --respond` and consumed by the running node when the peer's
 * hello arrives: one offer, one session. The set stays a path: the node reads
 * it when the session starts, and raw elements never pass through anything
 * but the node itself.
 */
export const offerSchema = z
  .object({
    peer: nodeIdSchema,
    mode: z.enum(['both', 'one', 'size']),
    kind: z.enum(SET_KINDS as [string, ...string[]]),
    /** Absolute path of the set file. */
    set_file: z.string().min(1),
    /** Where the node writes this party's result (mode both), absolute. */
    out_file: z.string().min(1).optional(),
    created_ms: z.number().int(),
    expires_ms: z.number().int(),
  })
  .strict();

export type PsiOffer = z.infer<typeof offerSchema>;

export class OfferStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'psi', 'offers');
  }

  private file(peer: string): string {
    return join(this.dir, `${peer}.json`);
  }

  /** Stages (or replaces) the offer for `offer.peer`, atomically. */
  async put(offer: PsiOffer): Promise<string> {
    const parsed = offerSchema.safeParse(offer);
    if (!parsed.success) throw new CordonError('INVALID_INPUT', `PSI offer: ${firstIssue(parsed.error)}`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = this.file(offer.peer);
    await writeFile(`${path}.tmp`, JSON.stringify(parsed.data, null, 2) + '\n', { mode: 0o600 });
    await rename(`${path}.tmp`, path);
    return path;
  }

  /** The live offer for `peer`, if any; an expired one is removed and ignored. */
  async get(peer: string, nowMs = Date.now()): Promise<PsiOffer | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(peer), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CordonError('INTERNAL', `PSI offer for ${peer}: ${fileProblem(err)}`);
    }
    let parsed;
    try {
      parsed = offerSchema.safeParse(JSON.parse(text));
    } catch {
      throw new CordonError('INVALID_CONFIG', `PSI offer ${this.file(peer)}: not JSON`);
    }
    if (!parsed.success) throw new CordonError('INVALID_CONFIG', `PSI offer ${this.file(peer)}: ${firstIssue(parsed.error)}`);
    if (parsed.data.expires_ms <= nowMs) {
      await this.remove(peer);
      return undefined;
    }
    return parsed.data;
  }

  /** Consumes the offer; false if another session consumed it first. */
  async remove(peer: string): Promise<boolean> {
    try {
      await unlink(this.file(peer));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}
