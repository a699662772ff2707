import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toText } from '../../../src/detect/log/bytes.js';
import { CsvDecoder, detectFormat, JsonLinesDecoder, type Decoded } from '../../../src/detect/log/decode.js';
import { forEachLine, readLinesAt } from '../../../src/detect/log/lines.js';
import { FileDecoder } from '../../../src/detect/log/open.js';

const good = { ts: '2025-03-03T10:00:00.000Z', account: 'a1', prompt: 'hi', in_tokens: 3, out_tokens: 9 };
const json = (o: unknown): string => JSON.stringify(o);
const error = (d: Decoded): string | undefined => (d && 'error' in d ? d.error : undefined);

describe('JsonLinesDecoder', () => {
  it('decodes a line into a record with times in ms and absent fields empty', () => {
    const d = new JsonLinesDecoder().decode(json(good), 1, 0);
    expect(d && 'record' in d).toBe(true);
    if (d && 'record' in d) {
      expect(d.record.ts).toBe(Date.parse(good.ts));
      expect(d.record.account).toBe('a1');
      expect(d.record.ip).toBe('');
      expect(Number.isNaN(d.record.created)).toBe(true);
      expect(d.record.out_tokens).toBe(9);
    }
  });

  it('says what is wrong with a bad line', () => {
    const dec = new JsonLinesDecoder();
    expect(error(dec.decode('{"ts": "2025-03-03T10:00:00Z", "account": ', 1))).toMatch(/^invalid JSON/);
    expect(error(dec.decode('[1,2]', 2))).toBe('not a JSON object');
    expect(error(dec.decode(json({ ...good, account: undefined }), 3))).toBe("missing 'account'");
    expect(error(dec.decode(json({ ...good, ts: 'soon' }), 4))).toMatch(/^invalid time in 'ts'/);
    expect(error(dec.decode(json({ ...good, in_tokens: -1 }), 5))).toBe("'in_tokens' must be a non-negative number");
    expect(error(dec.decode(json({ ...good, ip: 7 }), 6))).toBe("'ip' must be a string");
    expect(dec.decode('', 7)).toBeUndefined();
  });

  it('keeps non-ASCII text as byte strings, whether raw or \\u-escaped', () => {
    // A file is read one char per byte: "é" arrives as its two UTF-8 bytes.
    const raw = Buffer.from(json({ ...good, account: 'josé' }), 'utf8').toString('latin1');
    const escaped = json({ ...good, account: 'josé' }).replace('é', '\\u00e9');
    const a = new JsonLinesDecoder().decode(raw, 1);
    const b = new JsonLinesDecoder().decode(escaped, 1);
    expect(a && 'record' in a && a.record.account).toBe(b && 'record' in b && b.record.account);
    expect(a && 'record' in a && toText(a.record.account)).toBe('josé');
  });
});

describe('CsvDecoder', () => {
  it('maps columns by the header and reads quoted fields spanning lines', () => {
    const dec = new CsvDecoder();
    expect(dec.decode('ts,account,prompt,in_tokens', 1, 0)).toBeUndefined();
    expect(dec.decode('2025-03-03T10:00:00Z,a1,"Say ""hi""', 2, 30)).toBeUndefined();
    const d = dec.decode('on two lines, please",12', 3, 60);
    expect(d && 'record' in d && d.record.prompt).toBe('Say "hi"\non two lines, please');
    expect(d && 'record' in d && d.record.in_tokens).toBe(12);
    expect(d && 'record' in d && d.offset).toBe(30);
    expect(d && 'record' in d && d.line).toBe(2);
  });

  it('reports field-count and quoting errors with the line they start on', () => {
    const dec = new CsvDecoder();
    dec.decode('ts,account', 1);
    expect(dec.decode('2025-03-03T10:00:00Z,a1,extra', 2)).toEqual({ error: 'expected 2 fields, found 3', line: 2 });
    expect(error(dec.decode('2025-03-03T10:00:00Z,a"1"', 3))).toMatch(/stray quote/);
    expect(dec.decode('2025-03-03T10:00:00Z,"open', 4)).toBeUndefined();
    expect(dec.end()).toEqual({ error: 'unterminated quoted field', line: 4 });
  });

  it('needs ts and account in the header', () => {
    expect(error(new CsvDecoder().decode('time,user', 1))).toMatch(/header must name/);
  });
});

describe('format and lines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cordon-lines-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('chooses the format by extension, then by content', () => {
    expect(detectFormat('x.jsonl', 'ts,account')).toBe('jsonl');
    expect(detectFormat('x.CSV', '{')).toBe('csv');
    expect(detectFormat('x.log', ' {"ts":1}')).toBe('jsonl');
    expect(detectFormat('x.log', 'ts,account')).toBe('csv');
  });

  it('reads lines with numbers and byte offsets, and reads them back by offset', async () => {
    const path = join(dir, 'a.jsonl');
    const lines = ['{"a":"é"}', '', '{"b":2}\r', '{"c":3}'];
    await writeFile(path, lines.join('\n'));
    const seen: [string, number, number][] = [];
    await forEachLine(path, (line, no, offset) => seen.push([line, no, offset]));
    expect(seen.map((s) => s[1])).toEqual([1, 2, 3, 4]);
    expect(seen[2]![0]).toBe('{"b":2}');
    expect(seen.map((s) => s[2])).toEqual([0, 11, 12, 21]);
    const back: string[] = [];
    await readLinesAt(path, [21, 0], (line) => {
      back.push(toText(line));
      return false;
    });
    expect(back).toEqual(['{"a":"é"}', '{"c":3}']);
  });

  it('handles lines longer than a read chunk and files without a final newline', async () => {
    const path = join(dir, 'long.jsonl');
    const long = 'x'.repeat(9 << 20);
    await writeFile(path, `a\n${long}\nb\nc`);
    const seen: [number, number, number][] = [];
    await forEachLine(path, (line, no, offset) => seen.push([line.length, no, offset]));
    expect(seen).toEqual([
      [1, 1, 0],
      [long.length, 2, 2],
      [1, 3, long.length + 3],
      [1, 4, long.length + 5],
    ]);
  });

  it('FileDecoder settles on a format at the first non-blank line', () => {
    const d = new FileDecoder('logs.txt');
    expect(d.decode('', 1)).toBeUndefined();
    expect(d.decode('ts,account', 2)).toBeUndefined();
    expect(d.format).toBe('csv');
  });
});
