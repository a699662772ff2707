import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { CordonError } from '../../../src/errors.js';
import { MerkleError } from '../../../src/crypto/merkle/index.js';
import { fromServiceError, toServiceError } from '../../../src/federation/grpc/status.js';

describe('gRPC status of a handler failure', () => {
  it('tells the caller what it did wrong, and nothing of the node\'s internals', () => {
    const logged: unknown[] = [];
    expect(toServiceError(new CordonError('INVALID_INPUT', 'batch: empty'), (e) => logged.push(e))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'batch: empty' });
    for (const internal of [new CordonError('INTERNAL', 'tile 0/3 should hold 256 hashes at size 900, found 12'), new MerkleError('SOURCE_ERROR', 'bundle 2 should hold 256 leaves'), new TypeError('x is undefined')]) {
      const answer = toServiceError(internal, (e) => logged.push(e));
      expect(answer).toEqual({ code: status.INTERNAL, details: 'internal error (see the node log)' });
    }
    expect(logged).toHaveLength(3);
  });
});

describe('a gRPC client failure as a CordonError', () => {
  it('says a node that cannot be reached is unreachable, with no empty "Resolution note:"', () => {
    const err = fromServiceError({ code: status.UNAVAILABLE, details: 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:9. Resolution note: ' }, 'c1');
    expect(err).toMatchObject({ code: 'UNAVAILABLE', message: 'c1: unreachable (connect ECONNREFUSED 127.0.0.1:9)' });
    const noted = fromServiceError({ code: status.UNAVAILABLE, details: 'No connection established. Last error: null. Resolution note: DNS lookup failed' }, 'c1');
    expect(noted.message).toBe('c1: unreachable (null; DNS lookup failed)');
    expect(fromServiceError({ code: status.NOT_FOUND, details: 'no such batch' }, 'c1').message).toBe('c1: no such batch');
  });
});
