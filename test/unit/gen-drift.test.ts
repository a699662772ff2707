import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** src/gen must be exactly what `npm run gen` makes from proto/, and buf lint must be clean. */
const BUF = join('node_modules', '.bin', 'buf');

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out.sort();
}

describe('generated protobuf code', () => {
  it('is up to date with proto/', async () => {
    const out = await mkdtemp(join(tmpdir(), 'cordon-gen-'));
    execFileSync(BUF, ['generate', '-o', out], { stdio: 'pipe' });
    const fresh = await files(join(out, 'src', 'gen'));
    const committed = await files('src/gen');
    expect(fresh.map((f) => relative(join(out, 'src', 'gen'), f))).toEqual(committed.map((f) => relative('src/gen', f)));
    for (const f of fresh) {
      const name = relative(join(out, 'src', 'gen'), f);
      expect(await readFile(join('src/gen', name), 'utf8'), `src/gen/${name} is stale: run npm run gen`).toBe(await readFile(f, 'utf8'));
    }
  }, 60_000);

  it('passes buf lint', () => {
    expect(() => execFileSync(BUF, ['lint'], { stdio: 'pipe' })).not.toThrow();
  });
});
