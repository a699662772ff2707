import { create } from '@bufbuild/protobuf';
import type { Alert } from '../../src/gen/cordon/v1/alerts_pb.js';
import { RecordKind, RecordSchema, RetractionSchema, TokenSchema, type Record as BatchRecord, type TokenKind } from '../../src/gen/cordon/v1/common_pb.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { AlertClient } from '../../src/match/client/alert-client.js';
import type { Federation } from './federation.js';

/** Helpers for matching tests on a federation from createFederation: records with given tokens, publishing, reading alerts. */
const HOUR = 3_600_000;

/** An account record holding exactly these (raw) tokens, in epoch 1. */
export function account(id: string, tokens: [TokenKind, Uint8Array][], expiresInMs = 90 * 24 * HOUR): BatchRecord {
  const now = Date.now();
  return create(RecordSchema, {
    recordId: id, epoch: 1, kind: RecordKind.ACCOUNT,
    tokens: tokens.map(([kind, value]) => create(TokenSchema, { kind, value })),
    labels: ['volume'], score: 0.8,
    firstSeenMs: BigInt(now - HOUR), lastSeenMs: BigInt(now - 1000), expiresMs: BigInt(now + expiresInMs),
  });
}

export function matchingHelpers(fed: Federation, nodes: Record<string, RunningNode>) {
  const clients: AlertClient[] = [];
  const alertClient = (from: string, to: string) => {
    const c = new AlertClient({ id: from, key: nodes[from]!.key.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
    clients.push(c);
    return c;
  };
  return {
    alertClient,
    /** The alerts `from` may read at node `to`, after `cursor`. */
    async backlog(from: string, to: string, cursor = 0n): Promise<Alert[]> {
      const out: Alert[] = [];
      for await (const a of alertClient(from, to).watch(cursor, { backlogOnly: true })) out.push(a);
      return out;
    },
    /** Signs, chains and delivers a batch from provider `id`. */
    async publish(id: string, records: BatchRecord[], retractions: string[] = []): Promise<void> {
      await appendToChain(nodes[id]!.db.sql, id, nodes[id]!.key.privateKey, { records, retractions: retractions.map((recordId) => create(RetractionSchema, { recordId, reason: 'test' })) });
      await nodes[id]!.flush();
    },
    close(): void {
      for (const c of clients) c.close();
    },
  };
}
