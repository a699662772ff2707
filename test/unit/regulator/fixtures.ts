import type { CampaignView } from '../../../src/regulator/views/campaign-view.js';
import type { RegulatorSnapshot } from '../../../src/regulator/views/regulator-data.js';
import type { ReportView } from '../../../src/regulator/views/report-view.js';

/** A 64-hex token made of one repeated byte: easy to spot in assertions. */
export const tok = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

/** A report id (digest) made of one repeated byte. */
export const rid = (n: number): string => tok(n);

export function campaign(over: Partial<CampaignView> & Pick<CampaignView, 'id'>): CampaignView {
  return {
    providers: ['prov-a', 'prov-b'],
    provider_count: 2,
    record_count: 10,
    account_count: 8,
    shared_token_kinds: ['email'],
    indicators: [{ kind: 'email', token_hex: tok(0xee), epoch: 1 }],
    template_similarity: null,
    score: 0.5,
    first_seen: '2026-03-01T00:00:00Z',
    last_seen: '2026-03-02T00:00:00Z',
    updated_at: '2026-03-03T00:00:00Z',
    status: 'active',
    labels: ['distillation'],
    ...over,
  };
}

export function report(over: Partial<ReportView> & Pick<ReportView, 'id'>): ReportView {
  return {
    provider: 'prov-b',
    campaign_ref: 'cmp-0001',
    indicators: [{ kind: 'email', token_hex: tok(0xa1), epoch: 3 }],
    narrative: 'Coordinated accounts scraping reasoning traces at scale.',
    contact: 'soc@beta.example',
    created_at: '2026-03-10T09:00:00Z',
    received_at: '2026-03-10T09:15:00Z',
    regulator: 'reg',
    ...over,
  };
}

/** Three providers, three campaigns (one withdrawn, one sharing a token with another), two reports (one on a campaign the regulator does not see). */
export function sampleSnapshot(): RegulatorSnapshot {
  return {
    directory: {
      consortium: 'Cordon Consortium',
      issued_at: '2026-02-01T00:00:00Z',
      providers: [
        { id: 'prov-a', organisation: 'Alpha AI Ltd' },
        { id: 'prov-b', organisation: 'Beta Models GmbH' },
        { id: 'prov-c', organisation: 'Gamma Labs Inc' },
      ],
    },
    campaigns: [
      campaign({
        id: 'cmp-0001',
        providers: ['prov-a', 'prov-b'],
        provider_count: 2,
        record_count: 40,
        account_count: 31,
        shared_token_kinds: ['email', 'api_key', 'ip_prefix', 'payment'],
        indicators: [
          { kind: 'email', token_hex: tok(0xa1), epoch: 3 },
          { kind: 'api_key', token_hex: tok(0xa2).toUpperCase(), epoch: 3 },
          { kind: 'ip_prefix', token_hex: tok(0xa3), epoch: 3 },
          { kind: 'payment', token_hex: tok(0xa4), epoch: 2 },
        ],
        template_similarity: 0.91,
        score: 0.87,
        first_seen: '2026-03-01T10:00:00Z',
        last_seen: '2026-03-09T18:30:15.5+01:00',
        updated_at: '2026-03-10T00:00:00Z',
        labels: ['distillation', 'cot-extraction'],
      }),
      campaign({
        id: 'cmp-0002',
        providers: ['prov-c', 'prov-a', 'prov-c'],
        provider_count: 2,
        shared_token_kinds: ['email', 'phone'],
        indicators: [
          { kind: 'email', token_hex: tok(0xa1), epoch: 3 }, // shared with cmp-0001
          { kind: 'phone', token_hex: tok(0xb1), epoch: 3 },
          { kind: 'ip', token_hex: tok(0xb2), epoch: 3 },
          { kind: 'asn', token_hex: tok(0xb3), epoch: 3 },
          { kind: 'device', token_hex: tok(0xb4), epoch: 3 },
          { kind: 'org_domain', token_hex: tok(0xb5), epoch: 3 },
        ],
        score: 0,
        first_seen: '2026-04-02T00:00:00.000Z',
        last_seen: '2026-04-02T00:00:00.000Z',
        updated_at: '2026-04-02T00:00:00.000Z',
        labels: [],
      }),
      campaign({
        id: 'cmp-0003',
        providers: ['prov-b', 'prov-c'],
        indicators: [{ kind: 'device', token_hex: tok(0xc3), epoch: 3 }],
        status: 'withdrawn',
        updated_at: '2026-03-20T00:00:00Z',
      }),
    ],
    reports: [
      report({ id: rid(0x42), indicators: [{ kind: 'email', token_hex: tok(0xa1), epoch: 3 }, { kind: 'email', token_hex: tok(0xd1), epoch: 3 }] }),
      report({ id: rid(0x43), provider: 'prov-a', campaign_ref: 'case-77', indicators: [{ kind: 'phone', token_hex: tok(0xd2), epoch: 3 }], created_at: '2026-03-11T00:00:00Z', received_at: '2026-03-11T00:00:01Z' }),
    ],
  };
}
