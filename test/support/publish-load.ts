import postgres from 'postgres';
import { expect } from 'vitest';
import { CordonError } from '../../src/errors.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { deliverTo } from '../../src/federation/provider/deliver.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { listHeads } from '../../src/store/chain-store.js';
import { eventually, type Federation } from './federation.js';
import { makeRecords } from './records.js';

/**
 * Providers publishing without pause to consortium nodes, for fault tests:
 * each round appends records to the provider's outbox and delivers it to
 * every node, recording what each node acknowledged and how calls failed.
 */
export interface PublishLoad {
  /** `${node}/${provider}` → seq → the exact bytes that node acknowledged. */
  readonly acked: Map<string, Map<bigint, Buffer>>;
  /** Failed deliveries by CordonError code. */
  readonly failures: Record<string, number>;
  /** Stops publishing, then delivers everything left to every node. */
  finish(): Promise<void>;
}

export function startPublishing(
  fed: Federation,
  providers: Record<string, RunningNode>,
  consortium: readonly string[],
  opts: { recordsPerRound: number; batchRecords: number },
): PublishLoad {
  const acked = new Map<string, Map<bigint, Buffer>>();
  const failures: Record<string, number> = {};
  const ack = (node: string, provider: string, seq: bigint, bytes: Uint8Array) => {
    const key = `${node}/${provider}`;
    if (!acked.has(key)) acked.set(key, new Map());
    acked.get(key)!.set(seq, Buffer.from(bytes));
  };
  let stop = false;
  const publishers = Object.entries(providers).map(async ([p, node]) => {
    const clients = consortium.map((c) => new PeerClient({ id: p, key: node.key.privateKey }, { id: c, address: `127.0.0.1:${fed.ports[c]}` }));
    const deliver = (client: PeerClient) => deliverTo(node.db.sql, p, client, (b) => ack(client.peer.id, p, b.seq, b.batch));
    for (let round = 0; !stop; round++) {
      await appendToChain(node.db.sql, p, node.key.privateKey, { records: makeRecords(opts.recordsPerRound, `${p}-${round}`), retractions: [] }, { batchRecords: opts.batchRecords });
      for (const client of clients) {
        try {
          await deliver(client);
        } catch (err) {
          const code = err instanceof CordonError ? err.code : 'not a CordonError';
          failures[code] = (failures[code] ?? 0) + 1;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // After the last fault: everything that is left, to every node.
    for (const client of clients) {
      await eventually(async () => {
        await deliver(client);
        return true;
      }, 60_000, `final delivery of ${p} to ${client.peer.id}`);
      client.close();
    }
  });
  return {
    acked,
    failures,
    finish: async () => {
      stop = true;
      await Promise.all(publishers);
    },
  };
}

/** Runs `fn` with a one-connection client on `node`'s database. */
export async function withNodeDb<T>(fed: Federation, node: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(fed.databases[node]!, { max: 1, types: { bigint: postgres.BigInt } });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/**
 * `node` holds each provider's whole chain, exactly what its outbox holds
 * (gap-free: 1..N), and every batch the node acknowledged byte for byte.
 */
export async function expectCompleteChains(fed: Federation, node: string, providers: Record<string, RunningNode>, acked: PublishLoad['acked']): Promise<void> {
  await withNodeDb(fed, node, async (sql) => {
    for (const [p, provider] of Object.entries(providers)) {
      const rows = await sql<{ seq: bigint; batch: Uint8Array }[]>`SELECT seq, batch FROM batches WHERE provider_id = ${p} ORDER BY seq`;
      const outbox = await provider.db.sql<{ seq: bigint }[]>`SELECT seq FROM outbox ORDER BY seq`;
      const held = new Set(rows.map((r) => r.seq));
      const [head] = await sql<{ seq: bigint }[]>`SELECT seq FROM chain_heads WHERE provider_id = ${p}`;
      const missing = outbox.map((r) => r.seq).filter((s) => !held.has(s));
      expect(rows.map((r) => r.seq), `${node}: ${p}'s chain (missing ${missing.join(',')}, head ${head?.seq}, acked ${[...(acked.get(`${node}/${p}`)?.keys() ?? [])].join(',')})`).toEqual(outbox.map((r) => r.seq));
      expect(rows.every((r, i) => r.seq === BigInt(i + 1))).toBe(true);
      for (const [seq, bytes] of acked.get(`${node}/${p}`) ?? []) {
        expect(Buffer.compare(Buffer.from(rows[Number(seq) - 1]!.batch), bytes), `${node}: ${p}#${seq}`).toBe(0);
      }
    }
  });
}

/** `node`'s chain heads as `provider:seq:digest-hex`, in provider order. */
export function nodeHeads(fed: Federation, node: string): Promise<string[]> {
  return withNodeDb(fed, node, async (sql) => (await listHeads(sql)).map((h) => `${h.provider_id}:${h.seq}:${Buffer.from(h.digest).toString('hex')}`));
}
