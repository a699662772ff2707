import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertKind, AlertSchema } from '../../src/gen/cordon/v1/alerts_pb.js';
import { cursorOf, inboxAfter, storeReceived } from '../../src/match/inbox/inbox-store.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { createTestDatabase } from '../support/postgres.js';

describe('provider alert inbox', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: await createTestDatabase('inbox'), dataDir: '/nonexistent' });
  });
  afterAll(async () => db?.close());

  const alert = (id: string, cursor: bigint) => create(AlertSchema, { id, cursor, kind: AlertKind.OVERLAP, ownRecordIds: ['r1'] });

  it('stores each alert once whichever node delivers it, and keeps a cursor per node', async () => {
    expect(await storeReceived(db.sql, 'c1', [alert('al-a', 5n), alert('al-b', 9n)])).toHaveLength(2);
    // c2 delivers the same alerts under its own cursors, plus one more: only the new one is new.
    const fresh = await storeReceived(db.sql, 'c2', [alert('al-a', 3n), alert('al-b', 4n), alert('al-c', 7n)]);
    expect(fresh.map((a) => a.id)).toEqual(['al-c']);
    expect(await cursorOf(db.sql, 'c1')).toBe(9n);
    expect(await cursorOf(db.sql, 'c2')).toBe(7n);
    // A late, smaller cursor never moves a node's cursor back.
    await storeReceived(db.sql, 'c1', [alert('al-a', 5n)]);
    expect(await cursorOf(db.sql, 'c1')).toBe(9n);
    const rows = await inboxAfter(db.sql, 0n, 10);
    expect(rows.map((r) => [r.alert.id, r.receivedFrom])).toEqual([['al-a', 'c1'], ['al-b', 'c1'], ['al-c', 'c2']]);
    expect(rows[0]!.alert.ownRecordIds).toEqual(['r1']);
    expect((await inboxAfter(db.sql, rows[1]!.seq, 10)).map((r) => r.alert.id)).toEqual(['al-c']);
  });
});
