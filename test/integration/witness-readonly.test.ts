import type { DescService } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACL } from '../../src/federation/auth/acl.js';
import { mintCallToken } from '../../src/federation/auth/call-token.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { createFederation, startInProcess, type Federation } from '../support/federation.js';

/**
 * Issue 5: "the regulator cannot write anything through gRPC". Every RPC of
 * every service the protos define (found by reading src/gen, so an RPC added
 * later is covered without touching this test) that the ACL does not mark as
 * a read is called with the regulator's own valid call token on every node of
 * a running federation: each node must refuse it with PERMISSION_DENIED, or
 * not serve it at all (UNIMPLEMENTED). At least one node serves each.
 */
async function allServices(): Promise<DescService[]> {
  const dir = resolve('src/gen/cordon/v1');
  const services: DescService[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('_pb.ts'))) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    for (const v of Object.values(mod)) if ((v as DescService | undefined)?.kind === 'service') services.push(v as DescService);
  }
  return services;
}

/** Calls `path` with an empty request (or one empty message on a stream); resolves to the final status. */
function callStatus(address: string, path: string, streaming: boolean, token: string): Promise<{ code: number; details: string }> {
  const client = new Client(address, credentials.createInsecure());
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  const deadline = Date.now() + 10_000;
  return new Promise((done) => {
    const finish = (code: number, details: string) => {
      client.close();
      done({ code, details });
    };
    if (!streaming) {
      client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), md, { deadline }, (err: ServiceError | null) =>
        finish(err ? err.code : status.OK, err?.details ?? ''),
      );
      return;
    }
    const call = client.makeBidiStreamRequest(path, (b: Buffer) => b, (b: Buffer) => b, md, { deadline });
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.on('status', (s: { code: number; details: string }) => finish(s.code, s.details));
    call.write(Buffer.alloc(0));
    call.end();
  });
}

describe('the regulator cannot write through gRPC', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    for (const id of ['c1', 'p1', 'reg']) nodes[id] = await startInProcess(fed, id, { replication_interval_ms: 600_000 });
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('every write RPC on every node answers PERMISSION_DENIED to the regulator', async () => {
    const services = await allServices();
    const writes = services.flatMap((s) => s.methods.map((m) => ({ s, m, rpc: `${s.typeName}/${m.name}` }))).filter((x) => ACL[x.rpc]?.write !== false);
    // The tables agree: the protos define write RPCs, and the ACL knows each of them.
    expect(writes.length).toBeGreaterThanOrEqual(4);
    for (const { rpc } of writes) expect(ACL[rpc], `${rpc} is missing from the ACL`).toBeDefined();
    for (const { m, rpc } of writes) {
      const answers: Record<string, number> = {};
      for (const id of ['c1', 'p1', 'reg']) {
        const streaming = m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming';
        const r = await callStatus(`127.0.0.1:${fed.ports[id]}`, `/${rpc}`, streaming, mintCallToken('reg', nodes.reg!.key.privateKey, id));
        answers[id] = r.code;
        expect([status.PERMISSION_DENIED, status.UNIMPLEMENTED], `${rpc} on ${id}: ${r.code} ${r.details}`).toContain(r.code);
      }
      expect(Object.values(answers), `${rpc} is served by no node`).toContain(status.PERMISSION_DENIED);
    }
  });

  it('and the transparency log it reads is read-only for everyone', async () => {
    const logRpcs = Object.entries(ACL).filter(([rpc]) => rpc.startsWith('cordon.v1.TransparencyLogService/'));
    expect(logRpcs.map(([rpc]) => rpc.split('/')[1]).sort()).toEqual(['GetConsistencyProof', 'GetEntries', 'GetInclusionProof', 'GetTreeHead', 'ListObservedTreeHeads']);
    for (const [rpc, entry] of logRpcs) {
      expect(entry.write, rpc).toBe(false);
      expect([...entry.roles].sort(), rpc).toEqual(['consortium', 'provider', 'regulator']);
    }
  });
});
