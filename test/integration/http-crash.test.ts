import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_TOKEN_FILE } from '../../src/web/auth/console-token.js';
import { createFederation, eventually, startChild, type Federation } from '../support/federation.js';
import { freePort } from '../support/ports.js';
import { parseResponses, rawExchange, rawGet, type RawResponse } from '../support/raw-http.js';

/**
 * One unauthenticated request must never end a node: a real regulator
 * (`cordon node start` in a child process, http_listen on loopback) is sent
 * request targets that no URL parser or percent-decoder accepts, and answers
 * each with a 400 and a one-line JSON error, then keeps serving.
 */
describe('the node HTTP listener under malformed requests', () => {
  let fed: Federation;
  let reg: ChildProcess & { logs: string[] };
  let http: string;
  let token: string;

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'reg', role: 'regulator' }]);
    http = `127.0.0.1:${await freePort()}`;
    reg = await startChild(fed, 'reg', { CORDON_HTTP_LISTEN: http });
    token = (await readFile(join(fed.dirs.reg!, CONSOLE_TOKEN_FILE), 'utf8')).trim();
  });
  afterAll(() => {
    reg?.kill('SIGKILL');
  });

  const send = async (request: string): Promise<RawResponse> => {
    // A loaded machine may be slow to answer; the exchange ends as soon as the answer is whole.
    const exchange = await rawExchange(http, request, { answerMs: 15_000 });
    expect(exchange.answered, `no answer to ${JSON.stringify(request.slice(0, 60))}; node logs:\n${reg.logs.join('')}`).toBe(true);
    const [response] = parseResponses(exchange.bytes);
    return response!;
  };
  const health = async () => (await send(rawGet('/api/health', { authorization: `Bearer ${token}` }))).status;

  it('answers GET // with 400 and a one-line JSON error, and is still up', async () => {
    const r = await send(rawGet('//'));
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const text = r.body!.toString('utf8').trim();
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({ error: expect.stringMatching(/^bad request/) });
    expect(text).not.toMatch(/TypeError|Invalid URL|\.ts:\d|node:internal/);
    expect(await health()).toBe(200);
    expect(reg.exitCode).toBeNull();
  });

  it('answers bad percent-encoding in a console API path with 400, not 500', async () => {
    const r = await send(rawGet('/api/campaigns/%E0%A4%A', { authorization: `Bearer ${token}` }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body!.toString('utf8'))).toEqual({ error: expect.stringMatching(/percent-encoding/) });
    expect(await health()).toBe(200);
  });

  it('survives a burst of odd request targets, methods and header sizes', async () => {
    const requests = [
      rawGet('/%'), rawGet('/%zz'), rawGet('*'), rawGet('http://x'), rawGet('//x/api/health'), rawGet('/taxii2/%zz'),
      rawGet('/' + 'a'.repeat(20_000)), rawGet('/', { 'x-pad': 'b'.repeat(70_000) }), rawGet('/', {}, 'BREW'),
      'GET / HTTP/1.1\r\nHost: cordon\r\nConnection: close\r\nx-bad: \u0000\r\n\r\n', 'GET /\u0001 HTTP/1.1\r\n\r\n', 'garbage\r\n\r\n',
    ];
    for (const request of requests) {
      const exchange = await rawExchange(http, request);
      // Framing errors: Node answers 400/431 itself, or just closes; either way a status line or nothing.
      for (const r of parseResponses(exchange.bytes)) expect(r.status).toBeGreaterThanOrEqual(200);
    }
    await eventually(async () => (await health()) === 200, 5_000, 'the console API after the burst');
    expect(reg.exitCode).toBeNull();
    expect(reg.logs.join('')).not.toMatch(/Invalid URL|unhandled/i);
  });
});
