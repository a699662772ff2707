import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../src/federation/node/http-server.js';
import { silentLogger } from '../../../src/log.js';
import { ConsoleSessions, MAX_SESSIONS, SESSION_TTL_MS } from '../../../src/web/auth/console-sessions.js';
import { CONSOLE_COOKIE } from '../../../src/web/auth/console-token.js';
import { consoleRoutes } from '../../../src/web/console-routes.js';
import { emptyConsoleViews } from '../../support/console-views.js';

/**
 * The console's session cookie carries a random session id that expires,
 * never the console token; the token still opens the console once
 * (`?token=…`) and still works as a bearer for the API.
 */
const TOKEN = 'T'.repeat(43);
const HOUR = 60 * 60 * 1000;

const views = emptyConsoleViews('consortium');

describe('ConsoleSessions', () => {
  it('issues 256-bit ids that expire after the TTL (12 h by default), and forgets expired ones', () => {
    let now = 1_000_000;
    const sessions = new ConsoleSessions({ now: () => now });
    expect(sessions.ttlMs).toBe(SESSION_TTL_MS);
    expect(SESSION_TTL_MS).toBe(12 * HOUR);
    const id = sessions.open();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.open()).not.toBe(id);
    expect(sessions.valid(id)).toBe(true);
    expect(sessions.valid(undefined)).toBe(false);
    expect(sessions.valid('x'.repeat(43))).toBe(false);
    now += SESSION_TTL_MS - 1;
    expect(sessions.valid(id)).toBe(true);
    now += 1;
    expect(sessions.valid(id)).toBe(false);
    expect(sessions.size).toBe(1);
    // Opening a session prunes every expired one.
    now += SESSION_TTL_MS;
    sessions.open();
    expect(sessions.size).toBe(1);
  });

  it('holds at most `max` sessions, ending the oldest first', () => {
    expect(MAX_SESSIONS).toBeGreaterThan(0);
    const sessions = new ConsoleSessions({ max: 3 });
    const ids = [sessions.open(), sessions.open(), sessions.open(), sessions.open()];
    expect(sessions.size).toBe(3);
    expect(ids.map((id) => sessions.valid(id))).toEqual([false, true, true, true]);
  });
});

describe('the console session cookie over HTTP', () => {
  let now = 5_000_000;
  const sessions = new ConsoleSessions({ now: () => now });
  let plain: Awaited<ReturnType<typeof startHttpServer>>;
  let behindTls: Awaited<ReturnType<typeof startHttpServer>>;

  beforeAll(async () => {
    plain = await startHttpServer('127.0.0.1:0', [consoleRoutes(views, TOKEN, silentLogger, { sessions })], silentLogger);
    behindTls = await startHttpServer('127.0.0.1:0', [consoleRoutes(views, TOKEN, silentLogger, { behindTls: true })], silentLogger);
  });
  afterAll(async () => {
    await plain?.close();
    await behindTls?.close();
  });

  const openConsole = async (address: string) => {
    const res = await fetch(`http://${address}/console/?token=${TOKEN}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/');
    return res.headers.get('set-cookie')!;
  };
  const valueOf = (cookie: string) => new RegExp(`^${CONSOLE_COOKIE}=([^;]*);`).exec(cookie)![1]!;
  const api = (address: string, headers: Record<string, string>) => fetch(`http://${address}/api/health`, { headers });

  it('trades ?token= for a session cookie that is not the token, with HttpOnly, SameSite=Strict, Path=/ and Max-Age', async () => {
    const cookie = await openConsole(plain.address);
    const id = valueOf(cookie);
    expect(id).not.toBe(TOKEN);
    expect(cookie).not.toContain(TOKEN);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const attributes = cookie.split(';').slice(1).map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${SESSION_TTL_MS / 1000}`]));
    expect(attributes).not.toContain('Secure');
    expect((await api(plain.address, { cookie: `${CONSOLE_COOKIE}=${id}` })).status).toBe(200);
    const page = await fetch(`http://${plain.address}/console/`, { headers: { cookie: `${CONSOLE_COOKIE}=${id}` } });
    expect(page.status).toBe(200);
  });

  it('refuses the token itself as a cookie, a made-up session, and a wrong ?token=', async () => {
    expect((await api(plain.address, { cookie: `${CONSOLE_COOKIE}=${TOKEN}` })).status).toBe(401);
    expect((await api(plain.address, { cookie: `${CONSOLE_COOKIE}=${'A'.repeat(43)}` })).status).toBe(401);
    const wrong = await fetch(`http://${plain.address}/console/?token=${'U'.repeat(43)}`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an expired session', async () => {
    const id = valueOf(await openConsole(plain.address));
    now += 11 * HOUR;
    expect((await api(plain.address, { cookie: `${CONSOLE_COOKIE}=${id}` })).status).toBe(200);
    now += HOUR;
    const res = await api(plain.address, { cookie: `${CONSOLE_COOKIE}=${id}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/needs its token/) });
  });

  it('still takes the token as a bearer for the API', async () => {
    expect((await api(plain.address, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await api(plain.address, { authorization: `Bearer ${'V'.repeat(43)}` })).status).toBe(401);
  });

  it('marks the cookie Secure when the listener is behind TLS (http_behind_tls)', async () => {
    const cookie = await openConsole(behindTls.address);
    expect(cookie.split(';').map((a) => a.trim())).toContain('Secure');
  });

  it('answers a campaign id with broken percent-escapes with 400, not 500', async () => {
    const res = await fetch(`http://${plain.address}/api/campaigns/%E0%A4%A`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/malformed percent-encoding/) });
  });
});
