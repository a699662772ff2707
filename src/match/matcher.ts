import type { Sql, TransactionSql } from 'postgres';
import { errorMessage } from '../errors.js';
import type { Membership } from '../federation/membership/membership.js';
import type { Logger } from '../log.js';
import { matchBatch } from './match-batch.js';
import type { MatchEnv } from './match-env.js';
import { reconcileCampaigns } from './reconcile.js';
import { compileRules } from './rules.js';
import { insertAlerts, type NewAlert } from './store/alerts.js';
import { storedTokens, type ExcludedTokens, type IndexUpdate } from './link-tokens.js';
import { loadTokenIndex } from './load-token-index.js';
import { tokenKey } from './plan/token-groups.js';
import type { TokenIndex } from './token-index.js';
import { syncNeverMatch } from './store/excluded-tokens.js';
import { TOKEN_KIND_CODES } from '../crypto/prf/token-prf.js';
import { expiredLinkedRecords, pendingBatches } from './store/records.js';
import { withdrawRecords } from './withdraw.js';

/** How often expired records are swept out of links (an expiry is a withdrawal, like a retraction). */
export const EXPIRY_SWEEP_MS = 5_000;
/** Records withdrawn per sweep transaction. */
const EXPIRY_SWEEP_BATCH = 500;
/** Back-off after a failed round (database restarting, say); the batches stay pending and are retried. */
const RETRY_MS = 1_000;

export type AlertListener = (recipients: ReadonlySet<string>) => void;
/** One accepted batch matched (committed) and how many alerts that commit raised. */
export type MatchedListener = (batch: { providerId: string; seq: bigint }, alerts: number) => void;

/**
 * The consortium's incremental matcher (DESIGN.md §5). It follows the
 * accepted chains: each pending batch (batches.matched = false) is matched in
 * one transaction that also marks it matched, so a crash at any point leaves
 * it either wholly matched or still pending. A provider's batches are matched
 * in sequence order; different providers' batches interleave.
 *
 * Listeners hear, after each commit, which recipients have new alerts.
 */
export class Matcher {
  readonly #sql: Sql;
  readonly #membership: Membership;
  readonly #log: Logger;
  readonly #env: MatchEnv;
  readonly #listeners = new Set<AlertListener>();
  readonly #matchedListeners = new Set<MatchedListener>();
  /** The never-match list last written to excluded_tokens (its JSON). */
  #neverMatchSynced: string | undefined;
  /** Loaded on the first round (a rebuild from the records); see token-index.ts. */
  #index: TokenIndex | undefined;
  /** The link kinds the index was built for: a policy change of them rebuilds it. */
  #indexKinds: string | undefined;
  #excluded: ExcludedTokens = new Set();
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  /** Set by stop(): a drain in progress returns after the batch it is on. */
  #halted = false;
  #sweepTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  /** `env`: ids keyed with the node's alert-id key (the same on every matching node) and the participation rule (match-env.ts). */
  constructor(sql: Sql, membership: Membership, log: Logger, env: MatchEnv) {
    this.#sql = sql;
    this.#membership = membership;
    this.#log = log;
    this.#env = env;
  }

  onAlerts(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Observers (metrics: alert latency) of each batch matched; they must not throw. */
  onMatched(listener: MatchedListener): () => void {
    this.#matchedListeners.add(listener);
    return () => this.#matchedListeners.delete(listener);
  }

  start(): void {
    this.#stopped = false;
    this.notify();
    const sweep = () => {
      void this.sweepExpired()
        .catch((err) => this.#log.warn('expiry sweep failed', { error: errorMessage(err) }))
        .finally(() => {
          if (!this.#stopped) this.#sweepTimer = setTimeout(sweep, EXPIRY_SWEEP_MS);
        });
    };
    this.#sweepTimer = setTimeout(sweep, EXPIRY_SWEEP_MS);
  }

  /** New batches were accepted: match them soon. Cheap to call often; rounds never overlap. */
  notify(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.drain()
      .then(() => undefined, (err: unknown) => {
        this.#log.warn('matching failed; retrying', { error: errorMessage(err) });
        this.#retryTimer = setTimeout(() => this.notify(), RETRY_MS);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.notify();
        }
      });
  }

  /** Matches every pending batch; resolves when none is left (or the matcher stopped). */
  async drain(): Promise<number> {
    let matched = 0;
    for (;;) {
      const pending = await pendingBatches(this.#sql);
      if (pending.length === 0) return matched;
      for (const batch of pending) {
        if (this.#halted) return matched;
        await this.#syncNeverMatch();
        const index = await this.#tokenIndex();
        const alerts = await this.#commit((tx) => matchBatch(tx, batch, this.#rules(), index, this.#excluded, this.#env));
        for (const l of this.#matchedListeners) l({ providerId: batch.provider_id, seq: batch.seq }, alerts);
        matched++;
      }
    }
  }

  /**
   * Which providers' active records hold each of these tokens (for
   * investigations: a case goes only to providers with matching records,
   * and only to participating ones, match-env.ts). Answers from the token
   * index, verified against the stored records. Result: one entry per input
   * token, in order.
   */
  async holders(tokens: readonly { epoch: number; kind: number; token: Uint8Array }[]): Promise<{ provider: string; record: string }[][]> {
    const index = await this.#tokenIndex();
    const now = Date.now();
    const hits = tokens.map((t) => (this.#excluded.has(tokenKey(t.epoch, t.kind, t.token)) ? [] : index.lookup(t.kind, t.token, t.epoch, now).filter((h) => this.#env.participates(h.provider))));
    const holds = await storedTokens(this.#sql, hits.flat().map((h) => ({ provider: h.provider, record: h.record })));
    return hits.map((list, i) => {
      const t = tokens[i]!;
      return list.filter((h) => holds(h.provider, h.record, t.epoch, t.kind, t.token)).map((h) => ({ provider: h.provider, record: h.record }));
    });
  }

  /** Withdraws linked records whose expiry has passed. */
  async sweepExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      let n = 0;
      await this.#commit(async (tx) => {
        const refs = await expiredLinkedRecords(tx, EXPIRY_SWEEP_BATCH);
        n = refs.length;
        if (n === 0) return { alerts: [] };
        const w = await withdrawRecords(tx, refs, 'expired', this.#env.ids);
        const r = await reconcileCampaigns(tx, new Set(), w.campaigns, this.#env);
        return { alerts: [...w.alerts, ...r.alerts], index: { add: [], withdraw: refs, exclude: [] } };
      });
      total += n;
      if (n < EXPIRY_SWEEP_BATCH) return total;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#halted = true;
    if (this.#sweepTimer) clearTimeout(this.#sweepTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#again = false;
    await this.#running;
  }

  #rules() {
    return compileRules(this.#membership.manifest.policy.match);
  }

  /** Keeps excluded_tokens in step with the manifest's never-match list (it may change with a manifest update). */
  async #syncNeverMatch(): Promise<void> {
    const list = this.#membership.manifest.policy.match.never_match;
    const json = JSON.stringify(list);
    if (json === this.#neverMatchSynced) return;
    await this.#sql.begin((tx) => syncNeverMatch(tx, list.map((n) => ({ epoch: n.epoch, kind: TOKEN_KIND_CODES[n.kind], token: n.token }))));
    this.#neverMatchSynced = json;
    // Never-match may also have lost entries: rebuild the excluded set and the index from the tables.
    this.#index = undefined;
  }

  async #tokenIndex(): Promise<TokenIndex> {
    const kinds = JSON.stringify(this.#membership.manifest.policy.match.link_kinds);
    if (!this.#index || kinds !== this.#indexKinds) {
      const rows = await this.#sql<{ epoch: number; kind: number; token: Uint8Array }[]>`SELECT epoch, kind, token FROM excluded_tokens`;
      this.#excluded = new Set(rows.map((r) => tokenKey(r.epoch, r.kind, r.token)));
      this.#index = await loadTokenIndex(this.#sql, this.#rules(), this.#log);
      this.#indexKinds = kinds;
    }
    return this.#index;
  }

  /**
   * Runs `work` and inserts the alerts it returns in one transaction; once
   * committed (not before), applies its token-index update and tells listeners.
   * Resolves to the number of alerts raised.
   */
  async #commit(work: (tx: TransactionSql) => Promise<{ alerts: NewAlert[]; index?: IndexUpdate }>): Promise<number> {
    let recipients = new Set<string>();
    let update: IndexUpdate | undefined;
    let raised = 0;
    await this.#sql.begin(async (tx) => {
      const done = await work(tx);
      update = done.index;
      raised = done.alerts.length;
      recipients = await insertAlerts(tx, done.alerts);
    });
    if (update && this.#index) {
      for (const r of update.withdraw) this.#index.withdraw(r.provider, r.record);
      for (const r of update.add) this.#index.add({ provider: r.member.provider, record: r.member.record, epoch: r.epoch, publishedMs: r.member.publishedMs, expiresMs: r.expiresMs }, this.#excluded.size === 0 ? r.tokens : r.tokens.filter((t) => !this.#excluded.has(tokenKey(r.epoch, t.kind, t.token))));
      for (const x of update.exclude) {
        this.#excluded.add(tokenKey(x.epoch, x.kind, x.token));
        this.#index.exclude(x.kind, x.token);
      }
    }
    if (recipients.size === 0) return raised;
    for (const l of this.#listeners) {
      try {
        l(recipients);
      } catch (err) {
        this.#log.error('alert listener failed', { error: errorMessage(err) });
      }
    }
    return raised;
  }
}
