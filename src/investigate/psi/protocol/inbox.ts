import { CordonError } from '../../../errors.js';
import type { Conversation } from './conversation.js';

type Oneof = { case: string; value: unknown } | { case: undefined; value?: undefined };
type Present<O extends Oneof> = Exclude<O, { case: undefined }>;

/**
 * The receiving half of a conversation, read by one party's protocol. Knows
 * which stage the party is in, so every failure says what was expected and
 * what happened instead: a message of the wrong kind, the peer closing its
 * stream early, or the peer falling silent for longer than `idleMs`.
 */
export class Inbox<M extends { message: Oneof }> {
  /** What the party is doing, in words ("receiving the responder's lists"); appears in every error. */
  stage = 'starting';

  constructor(
    private readonly conversation: Conversation<M, unknown>,
    private readonly peer: string,
    private readonly idleMs: number,
  ) {}

  /** The next message; throws if the stream ends, fails or stays silent. */
  async next(): Promise<Present<M['message']>> {
    const msg = await this.receive();
    if (!msg) throw new CordonError('UNAVAILABLE', `${this.peer} closed the PSI stream while ${this.stage}: the session is incomplete and has no result`);
    if (msg.message.case === undefined) throw new CordonError('INVALID_INPUT', `${this.peer} sent an empty message while ${this.stage}`);
    return msg.message as Present<M['message']>;
  }

  /** The next message, which must be of kind `kind`. */
  async expect<K extends Present<M['message']>['case']>(kind: K): Promise<Extract<Present<M['message']>, { case: K }>['value']> {
    const msg = await this.next();
    if (msg.case !== kind) throw this.unexpected(msg.case, kind);
    return msg.value as Extract<Present<M['message']>, { case: K }>['value'];
  }

  /** The peer must close its stream now. */
  async expectEnd(): Promise<void> {
    const msg = await this.receive();
    if (msg) throw new CordonError('INVALID_INPUT', `${this.peer} sent ${msg.message.case ?? 'an empty message'} after its last message`);
  }

  unexpected(got: string, expected: string): CordonError {
    return new CordonError('INVALID_INPUT', `${this.peer} sent ${got} while ${this.stage}; expected ${expected}`);
  }

  private async receive(): Promise<M | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CordonError('UNAVAILABLE', `${this.peer} sent nothing for ${this.idleMs < 1000 ? `${this.idleMs} ms` : `${Math.round(this.idleMs / 1000)} s`} while ${this.stage}: the session is abandoned and has no result`)),
        this.idleMs,
      );
    });
    try {
      return (await Promise.race([this.conversation.receive(), silence])) as M | undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
