import fc from 'fast-check';
import { startHttpServer } from '../../src/federation/node/http-server.js';
import { silentLogger } from '../../src/log.js';
import type { TaxiiCatalog } from '../../src/regulator/taxii/catalog.js';
import { API_ROOT, FEDERATION_COLLECTION_ID, TAXII_MEDIA_TYPE } from '../../src/regulator/taxii/constants.js';
import { taxiiRoute } from '../../src/regulator/taxii/router.js';
import type { TaxiiUsers } from '../../src/regulator/taxii/users.js';
import { CONSOLE_COOKIE } from '../../src/web/auth/console-token.js';
import { consoleRoutes } from '../../src/web/console-routes.js';
import { parseResponses, rawExchange, rawGet, type RawResponse } from '../support/raw-http.js';
import { mutatedBytes, mutatedText } from './harness/mutate.js';
import { FuzzViolation, invariant } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';
import { emptyConsoleViews } from '../support/console-views.js';

/**
 * The node's HTTP listener (startHttpServer) with the real console and TAXII
 * routes in front of in-memory views, sent raw bytes over TCP: request
 * targets no URL parser takes (`//`, `/%`, `*`, `http://x`, 40 KB paths, NUL
 * and control characters, bytes that are not UTF-8), broken percent-escapes
 * in console and TAXII paths, odd and lower-case methods, headers up to
 * 70 KB, Expect and body framing headers, and byte-level edits of the whole
 * request head. Every request gets well-formed HTTP/1.1 answers with a
 * status in 200–499 (a 5xx here is a handler that met input it did not
 * expect) and one-line JSON error bodies that name no internals, or has its
 * connection closed by Node (framing errors); after each, the listener still
 * answers a normal request, and no promise rejection went unhandled.
 */
const CONSOLE_TOKEN = 'c'.repeat(43);
const TAXII_TOKEN = 't'.repeat(43);
const OBJECT_ID = 'indicator--0b2a6a38-5b56-4b6e-9d1c-1b2a5c0d9e11';
const COLLECTION = `/taxii2/${API_ROOT}/collections/${FEDERATION_COLLECTION_ID}`;

const TARGETS = [
  '/', '//', '///', '/%', '/%zz', '/%00', '*', 'http://x', 'http://x/api/health', '//x/api/health', '/\\x', '/?token=%',
  '/api/health', '/api/', '/api/campaigns', '/api/campaigns/c-1', '/api/campaigns/%E0%A4%A', '/api/campaigns/%', '/api/campaigns/a%2Fb',
  '/console', '/console/', `/console/?token=${CONSOLE_TOKEN}`, '/console/app.js', '/console/../console-token', '/console/%2e%2e/x',
  '/taxii2/', '/taxii2/%zz', `/taxii2/${API_ROOT}/`, `/taxii2/${API_ROOT}/collections/`, `${COLLECTION}/`, `${COLLECTION}/manifest/`,
  `${COLLECTION}/objects/?limit=2&added_after=2026-03-01T12:00:00Z&match[type]=indicator`, `${COLLECTION}/objects/${OBJECT_ID}/versions/`,
  `${COLLECTION}/objects/%E0%A4%A/`, `${COLLECTION}/objects/?next=%zz&limit=-1`, '/metrics',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND', 'M-SEARCH', 'get', 'BREW', ''];
const HEADER_SETS: readonly Record<string, string>[] = [
  {},
  { authorization: `Bearer ${CONSOLE_TOKEN}` },
  { cookie: `${CONSOLE_COOKIE}=${CONSOLE_TOKEN}` },
  { authorization: `Bearer ${TAXII_TOKEN}`, accept: TAXII_MEDIA_TYPE },
  { authorization: `Basic ${Buffer.from(`analyst:${TAXII_TOKEN}`).toString('base64')}`, accept: `${TAXII_MEDIA_TYPE}, */*;q=0.1` },
  { authorization: 'Basic %%%', accept: 'application/json' },
  { authorization: `Bearer ${CONSOLE_TOKEN}`, expect: '100-continue', 'content-length': '5' },
  { authorization: `Bearer ${CONSOLE_TOKEN}`, 'transfer-encoding': 'chunked' },
  { upgrade: 'websocket', connection: 'Upgrade' },
];

/** Over Node's 16 KiB header limit often enough to hit the 431 path, under it often enough to reach the routes. */
const PAD_BYTES = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }) });

const head = fc.record({
  method: fc.oneof({ weight: 4, arbitrary: fc.constant('GET') }, { weight: 3, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: mutatedText(fc.constantFrom(...METHODS), 2) }),
  target: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...TARGETS) },
    { weight: 4, arbitrary: mutatedText(fc.constantFrom(...TARGETS), 4) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 40_000 }).map((n) => '/' + 'a'.repeat(n)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  ),
  /** latin1 puts the characters 0x80–0xFF on the wire as single bytes: not UTF-8. */
  encoding: fc.constantFrom<BufferEncoding>('utf8', 'latin1'),
  headers: fc.constantFrom(...HEADER_SETS),
  pad: PAD_BYTES,
}).map(({ method, target, encoding, headers, pad }) => {
  const lines = [...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(pad > 0 ? [`x-pad: ${'p'.repeat(pad)}`] : []), 'Host: cordon', 'Connection: close'];
  return Uint8Array.from(Buffer.concat([Buffer.from(`${method} `, 'latin1'), Buffer.from(target, encoding), Buffer.from(` HTTP/1.1\r\n${lines.join('\r\n')}`, 'latin1')]));
});

/**
 * The head, sometimes edited byte by byte, always terminated (so every case
 * is a complete request head as far as its bytes go). Not empty lines alone:
 * a server skips those before a request line (RFC 9112 §2.2) and rightly
 * waits for the request.
 */
const request = fc.oneof({ weight: 3, arbitrary: head }, { weight: 1, arbitrary: mutatedBytes(head, 4) })
  .map((bytes) => Buffer.concat([bytes, Buffer.from('\r\n\r\n')]))
  .filter((bytes) => !/^[\r\n]*$/.test(bytes.toString('latin1')));

const views = emptyConsoleViews('regulator');
const catalog = { fresh: async () => undefined, has: async (id: string) => id === OBJECT_ID, query: async () => ({ rows: [], more: false }) } as unknown as TaxiiCatalog;
const users = { authenticate: async (token: string, name?: string) => (token === TAXII_TOKEN && (name ?? 'analyst') === 'analyst' ? 'analyst' : undefined) } as unknown as TaxiiUsers;

/** What an answer must never show: stack frames, source locations, error class names. */
const INTERNALS = /\bat .+:\d+:\d+|node:internal|\.[cm]?[jt]s:\d+|TypeError|URIError|RangeError|Invalid URL/;

function checkAnswer(r: RawResponse): void {
  invariant(r.status >= 200 && r.status <= 499, `status ${r.status} (a 5xx is a handler failing on input it did not expect)`);
  const text = r.body?.toString('utf8').trim() ?? '';
  if (!/json/.test(r.headers['content-type'] ?? '') || text === '') return;
  invariant(!text.includes('\n'), `a ${r.status} JSON body over several lines`);
  try {
    JSON.parse(text);
  } catch {
    throw new FuzzViolation(`a ${r.status} answer whose JSON body does not parse: ${text.slice(0, 120)}`);
  }
  invariant(!INTERNALS.test(text), `a ${r.status} answer names internals: ${text.slice(0, 200)}`);
}

export default defineTarget({
  name: 'http-routes',
  covers: 'raw HTTP requests to the node listener with the console and TAXII routes (startHttpServer, consoleRoutes, taxiiRoute)',
  async prepare() {
    const server = await startHttpServer('127.0.0.1:0', [
      taxiiRoute({ catalog, users, log: silentLogger, consortium: () => 'fuzz' }),
      consoleRoutes(views, CONSOLE_TOKEN, silentLogger),
    ], silentLogger);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const health = rawGet('/api/health', { authorization: `Bearer ${CONSOLE_TOKEN}` });
    return prepared({
      arbitrary: request,
      async check(bytes) {
        // Each case answers for its own rejections (so shrinking keeps the input that caused one).
        rejections.length = 0;
        const exchange = await rawExchange(server.address, bytes);
        if (!exchange.answered && !exchange.closed) throw new FuzzViolation('no answer, and the connection held open');
        let responses: RawResponse[];
        try {
          responses = parseResponses(exchange.bytes);
        } catch (err) {
          throw new FuzzViolation(`a malformed HTTP answer: ${(err as Error).message}`);
        }
        for (const r of responses) checkAnswer(r);
        const after = parseResponses((await rawExchange(server.address, health)).bytes);
        invariant(after[0]?.status === 200, `the listener no longer answers a normal request (got ${after[0]?.status ?? 'nothing'})`);
        if (rejections.length > 0) throw new FuzzViolation(`an unhandled promise rejection: ${String(rejections[0])}`);
        const first = responses[0];
        return first === undefined ? 'closed' : first.status === 200 ? 'accepted' : `http-${first.status}`;
      },
      async close() {
        process.off('unhandledRejection', onRejection);
        await server.close();
      },
    });
  },
});
