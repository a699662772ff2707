import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { LogClient } from '../../../audit/service/log-client.js';
import type { EncryptionKey } from '../../../crypto/encryption-key.js';
import { CordonError } from '../../../errors.js';
import { PeerClient, type Identity, type Peer } from '../../../federation/client/peer-client.js';
import { WATCH_DEADLINE_MS } from '../../../match/client/alert-client.js';
import type { Membership } from '../../../federation/membership/membership.js';
import { TemplateSignatureSchema, TokenSchema } from '../../../gen/cordon/v1/common_pb.js';
import {
  CaseMessageKind, InvestigationService, WatchCasesRequestSchema, type CaseStatus, type CaseSummary, type ProbingFlag,
} from '../../../gen/cordon/v1/investigations_pb.js';
import { signAnswer, verifyAnswer, type AnswerContext } from '../answer-context.js';
import { open, seal, type EnvelopeRecipient } from '../envelope.js';
import { makeOpening, QUERY_SALT_BYTES, type QueryOpening } from '../query-commitment.js';
import { checkLoggedQuery, type CheckedQuery } from './logged-query.js';

const m = InvestigationService.method;

/**
 * What the escalation bundle carries to the regulator: the purpose, each
 * answer's signed context and the query's opening (salt and query), all
 * verifiable by it.
 */
interface EscalationBundle { case_id: string; purpose: string; answers: string[]; query?: QueryOpening }

export interface CaseQueryArgs {
  epoch: number;
  tokens: { kind: number; value: Uint8Array }[];
  templates?: { bands: Uint8Array[]; minhash: number[] }[];
}

/** A case as its reader decrypted it: what this member may read, answers verified. */
export interface ReadCase {
  readonly summary: CaseSummary;
  readonly purpose?: string;
  readonly answers: AnswerContext[];
  /** The regulator (and the opener): the escalation bundle, decrypted and verified; `query` when the opener revealed it, checked against the node's log. */
  readonly escalation?: { purpose: string; answers: AnswerContext[]; query?: CheckedQuery };
}

/**
 * A member's side of investigations against one consortium node: encrypts
 * what it sends (to the case's participants, envelope.ts) and decrypts and
 * verifies what it reads. The node sees only ciphertext.
 */
export class CaseClient {
  private readonly peer: PeerClient;

  constructor(private readonly self: Identity, private readonly encKey: EncryptionKey, private readonly membership: Membership, private readonly node: Peer) {
    this.peer = new PeerClient(self, node);
  }

  private readers(role: 'provider' | 'regulator'): EnvelopeRecipient[] {
    return this.membership.members(role).filter((x) => x.enc_jwk).map((x) => ({ id: x.id, encJwk: x.enc_jwk }));
  }

  /**
   * Opens a case. The purpose is encrypted to every provider (the node keeps
   * only the entries of those it asks). The node logs the query as a
   * commitment under a fresh salt; the opening returned (salt and query) is
   * the caller's to keep (client/openings.ts) and to reveal only on escalation.
   */
  async open(query: CaseQueryArgs, purpose: string): Promise<{ caseId: string; remainingToday: bigint; opening: QueryOpening }> {
    const purposeJwe = await seal(new TextEncoder().encode(purpose), 'purpose', this.self.id, this.readers('provider'));
    const querySalt = randomBytes(QUERY_SALT_BYTES);
    const templates = query.templates ?? [];
    const res = await this.peer.call(m.openCase, create(m.openCase.input, {
      epoch: query.epoch,
      tokens: query.tokens.map((t) => create(TokenSchema, t)),
      templates: templates.map((t) => create(TemplateSignatureSchema, t)),
      purposeJwe,
      querySalt,
    }));
    const opening = makeOpening({ caseId: res.caseId, node: this.node.id, logIndex: Number(res.logIndex), salt: querySalt, query: { epoch: query.epoch, tokens: query.tokens, templates } });
    return { caseId: res.caseId, remainingToday: res.remainingToday, opening };
  }

  async list(afterCursor = 0n, limit = 0): Promise<CaseSummary[]> {
    return (await this.peer.call(m.listCases, create(m.listCases.input, { afterCursor, limit }))).cases;
  }

  /**
   * The caller's cases after `cursor`, then new ones as they arrive (unless `backlogOnly`); ends when `signal` aborts.
   * When the node ends the stream at its lifetime, it is reopened (fresh call token) after the last case received.
   */
  async *watch(cursor: bigint, opts: { backlogOnly?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<CaseSummary> {
    let after = cursor;
    const request = () => create(WatchCasesRequestSchema, { cursor: after, backlogOnly: opts.backlogOnly ?? false });
    for await (const msg of this.peer.stream(m.watchCases, request(), { deadlineMs: WATCH_DEADLINE_MS, resume: request, ...(opts.signal ? { signal: opts.signal } : {}) })) {
      if (!msg.case) continue;
      after = msg.case.cursor;
      yield msg.case;
    }
  }

  /** A case with everything addressed to this member decrypted; answers are verified against their signers' keys. */
  async read(caseId: string): Promise<ReadCase> {
    const res = await this.peer.call(m.getCase, create(m.getCase.input, { caseId }));
    let purpose: string | undefined;
    const answers: AnswerContext[] = [];
    let escalation: ReadCase['escalation'];
    for (const msg of res.messages) {
      const { plaintext } = await open(msg.jwe, this.self.id, this.encKey.privateKey, `case ${caseId}: ${CaseMessageKind[msg.kind].toLowerCase()} from ${msg.sender}`);
      const text = new TextDecoder().decode(plaintext);
      if (msg.kind === CaseMessageKind.PURPOSE) purpose = text;
      else if (msg.kind === CaseMessageKind.ANSWER) answers.push(await verifyAnswer(text, caseId, this.membership));
      else if (msg.kind === CaseMessageKind.ESCALATION) {
        const bundle = JSON.parse(text) as EscalationBundle;
        if (bundle.case_id !== caseId) throw new CordonError('INVALID_INPUT', `case ${caseId}: the escalation bundle is about case '${bundle.case_id}'`);
        const answers = await Promise.all(bundle.answers.map((a) => verifyAnswer(a, caseId, this.membership)));
        const query = bundle.query === undefined ? undefined : await this.checkQuery(bundle.query, caseId, msg.sender);
        escalation = { purpose: bundle.purpose, answers, ...(query ? { query } : {}) };
      }
    }
    if (!res.summary) throw new CordonError('INTERNAL', `case ${caseId}: the node answered without a summary`);
    return { summary: res.summary, ...(purpose !== undefined ? { purpose } : {}), answers, ...(escalation ? { escalation } : {}) };
  }

  private async checkQuery(opening: unknown, caseId: string, opener: string): Promise<CheckedQuery> {
    const log = new LogClient(this.self, this.node);
    try {
      return await checkLoggedQuery(log, this.membership, opening, { caseId, opener });
    } finally {
      log.close();
    }
  }

  /** Answers with signed context, encrypted to the opener and this provider. */
  async answer(caseId: string, opener: string, context: Omit<AnswerContext, 'iat' | 'case_id' | 'from'>): Promise<CaseStatus> {
    const jws = await signAnswer({ ...context, case_id: caseId, from: this.self.id }, this.self.key);
    const to = this.readers('provider').filter((r) => r.id === opener || r.id === this.self.id);
    const answerJwe = await seal(new TextEncoder().encode(jws), 'answer', this.self.id, to);
    return (await this.peer.call(m.respond, create(m.respond.input, { caseId, answerJwe }))).status;
  }

  async decline(caseId: string): Promise<CaseStatus> {
    return (await this.peer.call(m.respond, create(m.respond.input, { caseId, decline: true }))).status;
  }

  /**
   * Escalates to the regulator: the opener decrypts the purpose and the
   * answers it holds and re-encrypts them, with the answers' signatures and
   * the query's opening (when it kept it), to the regulator(s) and itself.
   * Only the opener can do this, and nobody else gains a copy.
   */
  async escalate(caseId: string, opening?: QueryOpening): Promise<CaseStatus> {
    if (opening && opening.case_id !== caseId) throw new CordonError('INVALID_INPUT', `case ${caseId}: the query opening given is that of case '${opening.case_id}'`);
    const res = await this.peer.call(m.getCase, create(m.getCase.input, { caseId }));
    let purpose = '';
    const answers: string[] = [];
    for (const msg of res.messages) {
      const text = new TextDecoder().decode((await open(msg.jwe, this.self.id, this.encKey.privateKey, `case ${caseId}`)).plaintext);
      if (msg.kind === CaseMessageKind.PURPOSE) purpose = text;
      if (msg.kind === CaseMessageKind.ANSWER) answers.push(text);
    }
    const bundle: EscalationBundle = { case_id: caseId, purpose, answers, ...(opening ? { query: opening } : {}) };
    const to = [...this.readers('regulator'), ...this.readers('provider').filter((r) => r.id === this.self.id)];
    const bundleJwe = await seal(new TextEncoder().encode(JSON.stringify(bundle)), 'escalation', this.self.id, to);
    return (await this.peer.call(m.escalate, create(m.escalate.input, { caseId, bundleJwe }))).status;
  }

  async close(caseId: string): Promise<CaseStatus> {
    return (await this.peer.call(m.closeCase, create(m.closeCase.input, { caseId }))).status;
  }

  async probingFlags(): Promise<ProbingFlag[]> {
    return (await this.peer.call(m.listProbingFlags, create(m.listProbingFlags.input, {}))).flags;
  }

  closeChannel(): void {
    this.peer.close();
  }
}
