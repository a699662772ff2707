import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSetFile } from '../../../src/investigate/psi/set/read-set-file.js';

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'psi-set-')), 'set.txt');
  await writeFile(path, text);
  return path;
}

describe('set files', () => {
  it('one element per line: trimmed, blank and # lines skipped, repeats once', async () => {
    const set = await readSetFile(await file('# cards\n  4111  \n\n4111\r\n5500\n'), 'raw');
    expect(set).toEqual({ kind: 'raw', elements: ['4111', '5500'] });
  });

  it('with a kind, surface forms of one identifier become one element', async () => {
    const set = await readSetFile(await file('John.Smith+promo@GMAIL.com\njohnsmith@gmail.com\nmaria@example.org\n'), 'email');
    expect(set.elements).toHaveLength(2);
  });

  it('lines that do not normalize fail the file with their line numbers, never their content', async () => {
    const err = await readSetFile(await file('ok@example.com\nnot-an-email-secret\nalso bad secret\n'), 'email').catch((e: Error) => e);
    expect((err as Error).message).toMatch(/2 line\(s\) are not a valid email: line 2: .*; line 3: /);
    expect((err as Error).message).not.toMatch(/secret/);
  });

  it('a missing file and an unknown kind are named', async () => {
    await expect(readSetFile('/nonexistent/set.txt', 'raw')).rejects.toThrow(/set file \/nonexistent\/set.txt: does not exist/);
    await expect(readSetFile('/nonexistent/set.txt', 'shoe_size' as never)).rejects.toThrow(/set kind 'shoe_size' is not one of raw, email/);
  });
});
