import { describe, expect, it } from 'vitest';
import { AccountStore } from '../../../src/detect/accounts/store.js';
import { Observer } from '../../../src/detect/accounts/observe.js';
import { KeyIndex } from '../../../src/detect/cluster/key-index.js';
import { LINK_KINDS, linkAccounts } from '../../../src/detect/cluster/link.js';
import { UnionFind } from '../../../src/detect/cluster/union-find.js';
import type { LogRecord } from '../../../src/detect/log/record.js';

const T0 = Date.UTC(2025, 2, 3);
function record(over: Partial<LogRecord>): LogRecord {
  return { ts: T0, account: 'x', provider: 'p1', created: Number.NaN, api_key: '', email: '', phone: '', ip: '', asn: '', payment: '', device: '', model: '', prompt: '', in_tokens: 1, out_tokens: 1, ...over };
}

describe('UnionFind and KeyIndex', () => {
  it('joins sets and tracks their sizes', () => {
    const uf = new UnionFind(5);
    expect(uf.union(0, 1)).toBe(true);
    expect(uf.union(1, 0)).toBe(false);
    uf.union(3, 4);
    uf.union(4, 1);
    expect(uf.find(0)).toBe(uf.find(3));
    expect(uf.sizeOf(3)).toBe(4);
    expect(uf.sizeOf(2)).toBe(1);
  });

  it('counts accounts per key, growing as needed, and ignores the empty key 0', () => {
    const idx = new KeyIndex(2);
    for (let i = 0; i < 100; i++) idx.add(1000 + (i % 10), i);
    idx.add(0, 5);
    expect(idx.count(1003)).toBe(10);
    expect(idx.first(1003)).toBe(3);
    expect(idx.count(0)).toBe(0);
    expect(idx.count(77)).toBe(0);
    expect(idx.first(77)).toBe(-1);
  });
});

describe('linkAccounts', () => {
  function store(records: Partial<LogRecord>[]): AccountStore {
    const s = new AccountStore(4);
    const obs = new Observer(s);
    obs.beginFile(0);
    records.forEach((r, i) => obs.observe(record({ ts: T0 + i * 1000, ...r })));
    return s;
  }

  it('joins accounts sharing a card, a device or a mailbox (after alias normalisation)', () => {
    const s = store([
      { account: 'a', payment: 'pm_1', email: 'jo.hn+x@gmail.com' },
      { account: 'b', payment: 'pm_1' },
      { account: 'c', device: 'dev_9', email: 'john@gmail.com' },
      { account: 'd', device: 'dev_9' },
      { account: 'e', payment: 'pm_2', device: 'dev_3' },
    ]);
    const links = linkAccounts(s, new Uint8Array(s.count), 1000);
    const id = (name: string): number => s.index.get(name)!;
    expect(links.uf.find(id('a'))).toBe(links.uf.find(id('d')));
    expect(links.uf.sizeOf(id('e'))).toBe(1);
    expect(links.shared[id('b') * LINK_KINDS.length + LINK_KINDS.indexOf('payment')]).toBe(2);
    expect(links.unions.payment + links.unions.device + links.unions.mailbox).toBe(3);
  });

  it('uses a shared network only between gated accounts, and only if mostly gated accounts hold it', () => {
    const s = store([
      { account: 'a', ip: '198.51.100.1' },
      { account: 'b', ip: '198.51.100.2' },
      { account: 'c', ip: '203.0.113.5' },
      { account: 'd', ip: '203.0.113.6' },
      { account: 'e', ip: '203.0.113.7' },
      { account: 'f', ip: '203.0.113.8' },
    ]);
    const gated = new Uint8Array(s.count);
    for (const name of ['a', 'b', 'c', 'd']) gated[s.index.get(name)!] = 1;
    const links = linkAccounts(s, gated, 1000);
    const id = (name: string): number => s.index.get(name)!;
    expect(links.uf.find(id('a'))).toBe(links.uf.find(id('b')));
    // 203.0.113.0/24 is held by four accounts, two of them gated: half is enough.
    expect(links.uf.find(id('c'))).toBe(links.uf.find(id('d')));
    expect(links.uf.sizeOf(id('e'))).toBe(1);
    const none = linkAccounts(s, new Uint8Array(s.count), 1000);
    expect(none.unions.network).toBe(0);
  });
});
