import { connect } from 'node:net';

/**
 * HTTP/1.1 over a raw TCP socket, for tests that must send what no HTTP
 * client would (`GET // HTTP/1.1`, broken percent-escapes, NUL bytes, 64 KiB
 * headers) and see exactly what the server wrote back. The exchange ends when
 * the server closes; or, on a kept-alive connection, IDLE_MS after the bytes
 * hold only complete responses (room for a pipelined one after them); or
 * `answerMs` (ANSWER_MS) after sending, or after a partial answer, when
 * nothing more came (`answered` false when nothing came at all).
 */
export interface RawExchange {
  /** Every byte the server wrote. */
  bytes: Buffer;
  /** The server closed the connection (rather than the exchange ending on idle). */
  closed: boolean;
  /** Anything came back before ANSWER_MS. */
  answered: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Undefined when the framing says more was coming than arrived (HEAD answers, cut connections). */
  body?: Buffer;
}

/** The server's first byte is due well within this (a local listener, small answers). */
export const ANSWER_MS = 1_500;
/** Quiet after complete answers on a kept-alive connection: no further pipelined answer is coming. */
export const IDLE_MS = 250;

export function rawExchange(address: string, request: Uint8Array | string, opts: { answerMs?: number; idleMs?: number } = {}): Promise<RawExchange> {
  const sep = address.lastIndexOf(':');
  const socket = connect({ host: address.slice(0, sep).replace(/^\[|\]$/g, ''), port: Number(address.slice(sep + 1)) });
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed, answered: chunks.length > 0 });
    };
    const wait = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), ms);
    };
    socket.on('connect', () => {
      socket.write(request);
      wait(opts.answerMs ?? ANSWER_MS);
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // Complete answers need only a short quiet before the exchange ends; a partial one waits for its rest.
      wait(complete(Buffer.concat(chunks)) ? (opts.idleMs ?? IDLE_MS) : (opts.answerMs ?? ANSWER_MS));
    });
    // A reset after the server's answer (it closed while our bytes were still arriving) is a close.
    socket.on('error', (err) => (socket.readyState === 'opening' && !settled ? reject(err) : finish(true)));
    socket.on('close', () => finish(true));
  });
}

/** Whether `bytes` are whole responses, each framed to its end (an unframed body ends only at the close). */
function complete(bytes: Buffer): boolean {
  try {
    const responses = parseResponses(bytes);
    return responses.length > 0 && responses.every((r) => r.body !== undefined && (r.headers['content-length'] !== undefined || r.headers['transfer-encoding'] !== undefined || r.status === 204 || r.status === 304));
  } catch {
    return false;
  }
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) [^\r\n]*$/;

/**
 * The final responses in `bytes` (interim 1xx skipped), in order. Throws when
 * the bytes are not HTTP/1.1 responses: a malformed status line, a header
 * without a colon, a chunk size that is not hex.
 */
export function parseResponses(bytes: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`an incomplete response head: ${JSON.stringify(bytes.subarray(at, at + 120).toString('latin1'))}`);
    const [statusLine, ...lines] = bytes.subarray(at, end).toString('latin1').split('\r\n');
    const status = STATUS_LINE.exec(statusLine!);
    if (!status) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine!.slice(0, 120))}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`a malformed response header: ${JSON.stringify(line.slice(0, 120))}`);
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = end + 4;
    const code = Number(status[1]);
    if (code >= 100 && code < 200) continue;
    const framed = frame(bytes, at, headers);
    out.push({ status: code, headers, ...(framed.body ? { body: framed.body } : {}) });
    if (!framed.body) break;
    at = framed.next;
  }
  return out;
}

function frame(bytes: Buffer, at: number, headers: Record<string, string>): { body?: Buffer; next: number } {
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return at + n <= bytes.length ? { body: bytes.subarray(at, at + n), next: at + n } : { next: bytes.length };
  }
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    let pos = at;
    for (;;) {
      const eol = bytes.indexOf('\r\n', pos);
      if (eol < 0) return { next: bytes.length };
      const size = bytes.subarray(pos, eol).toString('latin1');
      if (!/^[0-9a-fA-F]+$/.test(size)) throw new Error(`a malformed chunk size: ${JSON.stringify(size.slice(0, 40))}`);
      const n = parseInt(size, 16);
      if (n === 0) return bytes.length >= eol + 4 ? { body: Buffer.concat(parts), next: eol + 4 } : { next: bytes.length };
      if (eol + 2 + n + 2 > bytes.length) return { next: bytes.length };
      parts.push(bytes.subarray(eol + 2, eol + 2 + n));
      pos = eol + 2 + n + 2;
    }
  }
  // No framing: the body runs to the close (or there is none: 204, 304).
  return { body: bytes.subarray(at), next: bytes.length };
}

/** `GET path` with the given headers and Connection: close, as raw bytes (the path is sent exactly as given). */
export function rawGet(path: string, headers: Record<string, string> = {}, method = 'GET'): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: cordon', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  return lines.join('\r\n') + '\r\n\r\n';
}
