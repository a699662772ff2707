import type { Sql } from 'postgres';
import { inboxAfter, type InboxAlert } from '../../match/inbox/inbox-store.js';

/** Inbox rows read per query when collecting a campaign's overlaps. */
const INBOX_PAGE = 1000;

/** Every alert in the provider's inbox (what consortium nodes disclosed to it), oldest first. */
export async function wholeInbox(sql: Sql): Promise<InboxAlert[]> {
  const out: InboxAlert[] = [];
  for (let after = 0n; ; ) {
    const page = await inboxAfter(sql, after, INBOX_PAGE);
    out.push(...page);
    if (page.length < INBOX_PAGE) return out;
    after = page[page.length - 1]!.seq;
  }
}
