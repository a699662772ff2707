import { parse as parseDomain } from 'tldts';
import type { IdentifierKind } from '../fingerprint/suspect.js';
import { FILE_STRIDE } from './accounts/store.js';
import { detach, toText } from './log/bytes.js';
import { readLinesAt } from './log/lines.js';
import { FileDecoder } from './log/open.js';
import type { LogRecord } from './log/record.js';
import { scanPrompt, type PromptScan } from './text/scan.js';

/**
 * Raw identifiers and sample prompts for the flagged accounts. The stream
 * keeps hashes, not strings, so that memory stays a few hundred bytes per
 * account; instead it remembers where a few of each account's lines are
 * (the first, and a reservoir sample of the rest), and those lines are read
 * back here for the suspects only — a few random reads each, not a second
 * pass over the logs.
 */

export const MAX_VALUES_PER_KIND = 5;
/** Prompts are samples for template signatures; the head of a prompt carries its template. */
export const MAX_PROMPT_CHARS = 2000;

/** Mail providers whose domain says nothing about the account holder's organisation. */
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'proton.me', 'protonmail.com', 'icloud.com', 'aol.com', 'gmx.com', 'gmx.de', 'mail.com', 'yandex.ru', 'qq.com', '163.com']);

/**
 * Only names under a public suffix identify an organisation (and only those
 * are accepted for publishing); reserved names such as `*.example` are not.
 */
function isOrganisationDomain(domain: string): boolean {
  const r = parseDomain(domain, { allowPrivateDomains: true });
  return (r.isIcann === true || r.isPrivate === true) && r.domain !== null;
}

/** Log text is read as byte strings; what is kept for output is copied out as real text. */
function keep(bytes: string): string {
  return toText(detach(bytes));
}

export class Evidence {
  readonly values: Record<IdentifierKind, Set<string>> = { email: new Set(), phone: new Set(), ip: new Set(), asn: new Set(), payment: new Set(), device: new Set(), org_domain: new Set(), api_key: new Set() };
  readonly prompts: string[] = [];
  private readonly skeletons = new Set<number>();

  add(rec: LogRecord, scan: PromptScan): void {
    this.put('email', rec.email);
    this.put('phone', rec.phone);
    this.put('ip', rec.ip);
    this.put('asn', rec.asn);
    this.put('payment', rec.payment);
    this.put('device', rec.device);
    this.put('api_key', rec.api_key);
    const at = rec.email.lastIndexOf('@');
    if (at > 0) {
      // A byte string, lower-cased in its ASCII letters — all a domain name has.
      const domain = rec.email.slice(at + 1).toLowerCase();
      if (!FREE_MAIL.has(domain) && isOrganisationDomain(domain)) this.put('org_domain', domain);
    }
    if (rec.prompt) {
      // One sample per template skeleton: two copies of one template teach nothing more.
      const { prefix } = scanPrompt(rec.prompt, scan);
      if (!this.skeletons.has(prefix)) {
        this.skeletons.add(prefix);
        this.prompts.push(keep(rec.prompt.length > MAX_PROMPT_CHARS ? rec.prompt.slice(0, MAX_PROMPT_CHARS) : rec.prompt));
      }
    }
  }

  private put(kind: IdentifierKind, value: string): void {
    const set = this.values[kind];
    if (value && set.size < MAX_VALUES_PER_KIND) set.add(keep(value.length > 1024 ? value.slice(0, 1024) : value));
  }
}

/** Reads the sampled lines (packed positions, see store.ts) of each wanted account. */
export async function collectEvidence(files: readonly string[], positions: ReadonlyMap<string, readonly number[]>): Promise<Map<string, Evidence>> {
  const out = new Map<string, Evidence>();
  const byFile = new Map<number, Map<number, string>>();
  for (const [account, list] of positions) {
    for (const p of list) {
      if (p < 0) continue;
      const file = Math.floor(p / FILE_STRIDE);
      let offsets = byFile.get(file);
      if (!offsets) byFile.set(file, (offsets = new Map()));
      offsets.set(p - file * FILE_STRIDE, account);
    }
  }
  const scan: PromptScan = { content: 0, prefix: 0, suffix: 0, topic: -1 };
  for (const [index, offsets] of byFile) {
    const path = files[index];
    if (path === undefined) continue;
    const decoder = new FileDecoder(path);
    // A CSV decoder needs the header first: it is the file's first non-blank line.
    await readLinesAt(path, [0], (line) => {
      decoder.decode(line, 1);
      return line.trim() === '';
    });
    await readLinesAt(path, [...offsets.keys()], (line, start) => {
      const d = decoder.decode(line, 0);
      if (d === undefined) return decoder.format === 'csv'; // a CSV record continuing on the next line
      const account = offsets.get(start);
      if (account !== undefined && 'record' in d && d.record.account === account) {
        let e = out.get(account);
        if (!e) out.set(account, (e = new Evidence()));
        e.add(d.record, scan);
      }
      return false;
    });
  }
  return out;
}
