import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Sql } from 'postgres';
import type { TransparencyLog } from '../../../audit/transparency-log.js';
import { CordonError } from '../../../errors.js';
import { serverStream, unary, type CallContext, type PipelineDeps } from '../../../federation/grpc/handlers.js';
import { grpcPath } from '../../../federation/grpc/service-definition.js';
import type { Membership } from '../../../federation/membership/membership.js';
import {
  CloseCaseRequestSchema, CloseCaseResponseSchema, EscalateRequestSchema, EscalateResponseSchema, GetCaseRequestSchema, GetCaseResponseSchema,
  InvestigationService, ListCasesRequestSchema, ListCasesResponseSchema, ListProbingFlagsRequestSchema, ListProbingFlagsResponseSchema,
  OpenCaseRequestSchema, ProbingFlagSchema, RespondRequestSchema, RespondResponseSchema, WatchCasesRequestSchema, WatchCasesResponseSchema,
} from '../../../gen/cordon/v1/investigations_pb.js';
import type { Matcher } from '../../../match/matcher.js';
import type { AlertHub } from '../../../match/service/alert-hub.js';
import { probingFlags } from '../../budget/probing.js';
import { keepRecipients, parseCaseJwe, recipientIds } from '../envelope.js';
import { isCaseId, nextState, stateSeenByAsked, type CaseState } from '../lifecycle.js';
import { eventEntry } from '../log-entries.js';
import * as store from '../store/case-store.js';
import { openCaseAtFloor } from './open-case.js';
import { caseMessage, statusMessage, summaryMessage } from './to-proto.js';

const rpc = (name: string) => grpcPath(InvestigationService, name).slice(1);

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
/** Cases read per round trip while streaming a backlog. */
const WATCH_PAGE = 200;
/** A following stream re-reads the database at least this often, even without a wake-up (e.g. cases opened through another process). */
const FOLLOW_POLL_MS = 2_000;

export interface InvestigationEnv {
  readonly sql: Sql;
  readonly membership: Membership;
  readonly matcher: Matcher;
  readonly log: TransparencyLog;
  /** Wakes a member's WatchCases streams when a case is added to its listing. */
  readonly hub: AlertHub;
  /** This node's id, in log entries. */
  readonly nodeId: string;
  readonly now?: () => Date;
}

/** One answer for "no such case" and "not yours": a case's existence is itself disclosure. */
const notFound = (id: string) => new CordonError('NOT_FOUND', `case ${JSON.stringify(id).slice(0, 80)}: not found`);

/**
 * InvestigationService at a consortium node (DESIGN.md §6). The node routes
 * cases by matching and keeps their lifecycle; it never holds a readable
 * message (envelope.ts) and never tells an opener who was asked.
 */
export function investigationService(deps: PipelineDeps, env: InvestigationEnv): UntypedServiceImplementation {
  const { sql, membership } = env;
  const now = env.now ?? (() => new Date());
  /** Members who can read case messages: active, with an encryption key in the manifest. */
  const readers = (role: 'provider' | 'regulator') => membership.members(role).filter((m) => m.enc_jwk).map((m) => m.id);
  const caseIdOf = (id: string) => {
    if (!isCaseId(id)) throw notFound(id);
    return id;
  };
  const mine = async (id: string, ctx: CallContext) => {
    const p = await store.participation(sql, caseIdOf(id), ctx.caller.id);
    if (!p) throw notFound(id);
    return p;
  };

  return {
    OpenCase: unary(deps, rpc('OpenCase'), OpenCaseRequestSchema, (req, ctx) => openCaseAtFloor(env, req, ctx.caller.id)),

    ListCases: unary(deps, rpc('ListCases'), ListCasesRequestSchema, async (req, ctx) => {
      const limit = req.limit === 0 ? DEFAULT_LIST_LIMIT : Math.min(req.limit, MAX_LIST_LIMIT);
      const rows = await store.participationsAfter(sql, ctx.caller.id, req.afterCursor, limit);
      return create(ListCasesResponseSchema, { cases: rows.map(summaryMessage) });
    }),

    WatchCases: serverStream(deps, rpc('WatchCases'), WatchCasesRequestSchema, async (req, ctx, send) => {
      let cursor = req.cursor;
      while (!ctx.signal.aborted) {
        const page = await store.participationsAfter(sql, ctx.caller.id, cursor, WATCH_PAGE);
        for (const p of page) {
          await send(create(WatchCasesResponseSchema, { case: summaryMessage(p) }));
          cursor = BigInt(p.cursor);
        }
        if (page.length === WATCH_PAGE) continue;
        if (req.backlogOnly) return;
        await env.hub.wait(ctx.caller.id, ctx.signal, FOLLOW_POLL_MS);
      }
    }),

    GetCase: unary(deps, rpc('GetCase'), GetCaseRequestSchema, async (req, ctx) => {
      const p = await mine(req.caseId, ctx);
      const messages = await store.messagesFor(sql, p.case_id, ctx.caller.id);
      return create(GetCaseResponseSchema, { summary: summaryMessage(p), messages: messages.map((msg) => caseMessage(msg, ctx.caller.id)) });
    }),

    Respond: unary(deps, rpc('Respond'), RespondRequestSchema, async (req, ctx) => {
      const caseId = caseIdOf(req.caseId);
      const me = ctx.caller.id;
      if (req.decline && req.answerJwe !== '') throw new CordonError('INVALID_INPUT', `Respond: case ${caseId}: a decline carries no answer_jwe`);
      const answer = req.decline ? undefined : parseCaseJwe(req.answerJwe, `Respond: case ${caseId}: answer_jwe`, { kind: 'answer', from: me });
      let status: CaseState = 'open';
      await sql.begin(async (tx) => {
        const p = await store.participation(tx, caseId, me, true);
        if (!p) throw notFound(caseId);
        if (p.role !== 'asked') throw new CordonError('PERMISSION_DENIED', `Respond: case ${caseId}: only the providers asked respond; '${me}' is its ${p.role}`);
        if (p.response) throw new CordonError('INVALID_INPUT', `Respond: case ${caseId}: '${me}' has already ${p.response}`);
        status = nextState(p.status, req.decline ? 'decline' : 'answer', caseId);
        if (answer) {
          if (!recipientIds(answer).includes(p.opener)) throw new CordonError('INVALID_INPUT', `Respond: case ${caseId}: answer_jwe is not encrypted to the opener '${p.opener}'`);
          // An answer is for the opener (and a copy for its author): other asked providers never learn who answered.
          const kept = keepRecipients(answer, new Set([p.opener, me]));
          await store.insertMessage(tx, caseId, { kind: 'answer', sender: me, recipients: recipientIds(kept), jwe: JSON.stringify(kept) });
        }
        await store.setResponse(tx, caseId, me, req.decline ? 'declined' : 'answered');
        if (status !== p.status) await store.setStatus(tx, caseId, status);
      });
      // As the responder may see it: after a decline, another provider's answer does not show (lifecycle.ts).
      return create(RespondResponseSchema, { status: statusMessage(stateSeenByAsked(status, req.decline ? 'declined' : 'answered')) });
    }),

    Escalate: unary(deps, rpc('Escalate'), EscalateRequestSchema, async (req, ctx) => {
      const caseId = caseIdOf(req.caseId);
      const me = ctx.caller.id;
      const regulators = readers('regulator');
      if (regulators.length === 0) throw new CordonError('INVALID_INPUT', `Escalate: case ${caseId}: the manifest has no active regulator with an encryption key`);
      const bundle = parseCaseJwe(req.bundleJwe, `Escalate: case ${caseId}: bundle_jwe`, { kind: 'escalation', from: me });
      const addressed = new Set(recipientIds(bundle));
      const missing = regulators.filter((id) => !addressed.has(id));
      if (missing.length > 0) throw new CordonError('INVALID_INPUT', `Escalate: case ${caseId}: bundle_jwe is not encrypted to the regulator(s) ${missing.join(', ')}`);
      const kept = keepRecipients(bundle, new Set([me, ...regulators]));
      let status: CaseState = 'escalated';
      await sql.begin(async (tx) => {
        const p = await store.participation(tx, caseId, me, true);
        if (!p) throw notFound(caseId);
        if (p.role !== 'opener') throw new CordonError('PERMISSION_DENIED', `Escalate: case ${caseId}: only its opener '${p.opener}' escalates`);
        status = nextState(p.status, 'escalate', caseId);
        await store.insertParticipants(tx, caseId, regulators.map((member) => ({ member, role: 'regulator' as const })));
        await store.insertMessage(tx, caseId, { kind: 'escalation', sender: me, recipients: recipientIds(kept), jwe: JSON.stringify(kept) });
        await store.setStatus(tx, caseId, status);
        await env.log.appendIn(tx, [eventEntry({ node: env.nodeId, provider: me, caseId, event: 'escalate', at: now() })]);
      });
      env.hub.publish(regulators);
      return create(EscalateResponseSchema, { status: statusMessage(status) });
    }),

    CloseCase: unary(deps, rpc('CloseCase'), CloseCaseRequestSchema, async (req, ctx) => {
      const caseId = caseIdOf(req.caseId);
      const me = ctx.caller.id;
      let status: CaseState = 'closed';
      await sql.begin(async (tx) => {
        const p = await store.participation(tx, caseId, me, true);
        if (!p) throw notFound(caseId);
        if (p.role !== 'opener') throw new CordonError('PERMISSION_DENIED', `CloseCase: case ${caseId}: only its opener '${p.opener}' closes it`);
        status = nextState(p.status, 'close', caseId);
        await store.setStatus(tx, caseId, status);
        await env.log.appendIn(tx, [eventEntry({ node: env.nodeId, provider: me, caseId, event: 'close', at: now() })]);
      });
      return create(CloseCaseResponseSchema, { status: statusMessage(status) });
    }),

    ListProbingFlags: unary(deps, rpc('ListProbingFlags'), ListProbingFlagsRequestSchema, async () => {
      const flags = await probingFlags(sql, membership.manifest.policy.investigation, now());
      return create(ListProbingFlagsResponseSchema, {
        flags: flags.map((f) => create(ProbingFlagSchema, { providerId: f.provider, queries: BigInt(f.queries), misses: BigInt(f.misses), missRatio: f.missRatio, windowDays: f.windowDays })),
      });
    }),
  };
}
