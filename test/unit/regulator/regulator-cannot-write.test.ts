import { describe, expect, it } from 'vitest';
import { ACL, authorize } from '../../../src/federation/auth/acl.js';
import { ROLES } from '../../../src/federation/membership/schema.js';

/** "The regulator cannot write anything through gRPC": checked over the whole ACL, whatever is added to it later. */
describe('ACL: the regulator writes nothing; its node accepts only filed reports, only from providers', () => {
  const writes = Object.entries(ACL).filter(([, e]) => e.write);

  it('has writes to check, filing a report among them', () => {
    expect(writes.length).toBeGreaterThan(0);
    expect(ACL['cordon.v1.RegulatorService/FileReport']).toMatchObject({ write: true, regulatorInbox: true, roles: ['provider'] });
    expect(ACL['cordon.v1.ReportLogService/RecordReport']).toMatchObject({ write: true, roles: ['provider'] });
  });

  it('refuses every write to a regulator caller, on every kind of node', () => {
    for (const [rpc] of writes) {
      for (const nodeRole of ROLES) {
        const d = authorize(rpc, 'regulator', nodeRole);
        expect(d.allowed, `${rpc} by the regulator on a ${nodeRole} node`).toBe(false);
      }
    }
  });

  it('lists the regulator among no write entry (the table itself says so)', () => {
    for (const [rpc, e] of writes) expect(e.roles, rpc).not.toContain('regulator');
  });

  it('makes a regulator node refuse every write but the inbox, and the inbox to everyone but providers', () => {
    for (const [rpc, e] of writes) {
      for (const caller of ROLES) {
        const d = authorize(rpc, caller, 'regulator');
        const expected = Boolean(e.regulatorInbox) && caller === 'provider';
        expect(d.allowed, `${rpc} by a ${caller} on the regulator node`).toBe(expected);
        if (!d.allowed && !e.regulatorInbox) expect(d.reason).toMatch(/regulator node is read-only|writes nothing/);
      }
    }
    const filing = authorize('cordon.v1.RegulatorService/FileReport', 'provider', 'regulator');
    expect(filing).toEqual({ allowed: true, ownOnly: true });
    expect(authorize('cordon.v1.RegulatorService/FileReport', 'consortium', 'regulator')).toMatchObject({ allowed: false, reason: expect.stringMatching(/role consortium may not call/) });
  });

  it('lets the regulator read what it reads, and providers only their own reports', () => {
    expect(authorize('cordon.v1.RegulatorService/ListReports', 'regulator', 'regulator')).toEqual({ allowed: true, ownOnly: false });
    expect(authorize('cordon.v1.RegulatorService/GetReport', 'provider', 'regulator')).toEqual({ allowed: true, ownOnly: true });
    expect(authorize('cordon.v1.RegulatorService/ListReports', 'consortium', 'regulator').allowed).toBe(false);
  });
});
