import type { Sql, TransactionSql } from 'postgres';
import type { AlertKind } from '../ids.js';
import type { AlertFacts, StoredAlert } from '../types.js';

type Tx = TransactionSql | Sql;

/**
 * Arbitrary, fixed: the advisory lock every alert-writing transaction takes
 * before inserting, so alert cursors (a sequence) commit in increasing
 * order. Without it, a transaction holding cursor 7 could commit after one
 * holding cursor 8, and a watcher that read 8 would resume past 7 forever.
 */
const ALERTS_LOCK_KEY = 0x616c657274;

export interface NewAlert { alertId: string; recipient: string; kind: AlertKind; campaignId?: string; linkId?: string; facts: AlertFacts }

/** Inserts alerts not already held (same recipient and id); returns the recipients that got new ones. */
export async function insertAlerts(tx: TransactionSql, alerts: readonly NewAlert[]): Promise<Set<string>> {
  if (alerts.length === 0) return new Set();
  await tx`SELECT pg_advisory_xact_lock(${ALERTS_LOCK_KEY})`;
  const rows = await tx<{ recipient: string }[]>`
    INSERT INTO alerts (alert_id, recipient, kind, campaign_id, link_id, body)
    SELECT a.alert_id, a.recipient, a.kind, nullif(a.campaign_id, ''), nullif(a.link_id, ''), a.body::jsonb
    FROM unnest(${alerts.map((a) => a.alertId)}::text[], ${alerts.map((a) => a.recipient)}::text[], ${alerts.map((a) => a.kind)}::text[],
                ${alerts.map((a) => a.campaignId ?? '')}::text[], ${alerts.map((a) => a.linkId ?? '')}::text[],
                ${alerts.map((a) => JSON.stringify(a.facts))}::text[]) AS a(alert_id, recipient, kind, campaign_id, link_id, body)
    ORDER BY a.recipient, a.alert_id
    ON CONFLICT (recipient, alert_id) DO NOTHING
    RETURNING recipient`;
  return new Set(rows.map((r) => r.recipient));
}

interface AlertRow { cursor: string; alert_id: string; recipient: string; kind: AlertKind; body: AlertFacts; created_at: Date }
const toAlert = (r: AlertRow): StoredAlert => ({ cursor: BigInt(r.cursor), alertId: r.alert_id, recipient: r.recipient, kind: r.kind, createdMs: r.created_at.getTime(), facts: r.body });

/** A recipient's alerts after `cursor`, oldest first. */
export async function alertsAfter(tx: Tx, recipient: string, cursor: bigint, limit: number): Promise<StoredAlert[]> {
  const rows = await tx<AlertRow[]>`
    SELECT cursor, alert_id, recipient, kind, body, created_at FROM alerts
    WHERE recipient = ${recipient} AND cursor > ${cursor.toString()} ORDER BY cursor LIMIT ${limit}`;
  return rows.map(toAlert);
}

/** Overlap alerts sent about these links (to find what a withdrawal must take back). */
export async function overlapAlertsOf(tx: Tx, linkIds: readonly string[]): Promise<StoredAlert[]> {
  if (linkIds.length === 0) return [];
  const rows = await tx<AlertRow[]>`
    SELECT cursor, alert_id, recipient, kind, body, created_at FROM alerts
    WHERE link_id = ANY(${linkIds as string[]}::text[]) AND kind = 'overlap' ORDER BY cursor`;
  return rows.map(toAlert);
}

export async function alertById(tx: Tx, alertId: string): Promise<StoredAlert | undefined> {
  const [row] = await tx<AlertRow[]>`SELECT cursor, alert_id, recipient, kind, body, created_at FROM alerts WHERE alert_id = ${alertId} LIMIT 1`;
  return row ? toAlert(row) : undefined;
}
