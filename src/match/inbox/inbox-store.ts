import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Sql } from 'postgres';
import { AlertSchema, type Alert } from '../../gen/cordon/v1/alerts_pb.js';

export interface InboxAlert { seq: bigint; alert: Alert; receivedFrom: string; receivedAt: Date }

/**
 * Stores alerts received from one node and advances that node's cursor, in
 * one transaction; returns the alerts that were new (not already received
 * from any node).
 */
export async function storeReceived(sql: Sql, nodeId: string, alerts: readonly Alert[]): Promise<Alert[]> {
  if (alerts.length === 0) return [];
  const cursor = alerts.reduce((m, a) => (a.cursor > m ? a.cursor : m), 0n);
  return sql.begin(async (tx) => {
    const rows = await tx<{ alert_id: string }[]>`
      INSERT INTO alert_inbox (alert_id, kind, alert, received_from)
      SELECT id, kind, decode(body, 'hex'), ${nodeId}
      FROM unnest(${alerts.map((a) => a.id)}::text[], ${alerts.map((a) => a.kind)}::int[],
                  ${alerts.map((a) => Buffer.from(toBinary(AlertSchema, a)).toString('hex'))}::text[]) AS x(id, kind, body)
      ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id`;
    await tx`
      INSERT INTO alert_cursors (node_id, cursor) VALUES (${nodeId}, ${cursor.toString()})
      ON CONFLICT (node_id) DO UPDATE SET cursor = greatest(alert_cursors.cursor, EXCLUDED.cursor)`;
    const fresh = new Set(rows.map((r) => r.alert_id));
    return alerts.filter((a) => fresh.has(a.id));
  });
}

export async function cursorOf(sql: Sql, nodeId: string): Promise<bigint> {
  const [row] = await sql<{ cursor: string }[]>`SELECT cursor FROM alert_cursors WHERE node_id = ${nodeId}`;
  return row ? BigInt(row.cursor) : 0n;
}

/** Inbox rows after `seq`, oldest first. */
export async function inboxAfter(sql: Sql, seq: bigint, limit: number): Promise<InboxAlert[]> {
  const rows = await sql<{ seq: string; alert: Uint8Array; received_from: string; received_at: Date }[]>`
    SELECT seq, alert, received_from, received_at FROM alert_inbox WHERE seq > ${seq.toString()} ORDER BY seq LIMIT ${limit}`;
  return rows.map((r) => ({ seq: BigInt(r.seq), alert: fromBinary(AlertSchema, r.alert), receivedFrom: r.received_from, receivedAt: r.received_at }));
}
