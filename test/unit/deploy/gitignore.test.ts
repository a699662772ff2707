import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** What `cordon init` and the README walkthrough create inside a checkout never reaches `git add .`. */
describe('.gitignore', () => {
  const ignored = (path: string): boolean => {
    try {
      execFileSync('git', ['check-ignore', '--no-index', '-q', path], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  it('ignores node directories, keys, secrets and console tokens', () => {
    for (const path of ['nodes/c1/key.jwk', 'nodes/pa/enc-key.jwk', 'secrets/provider-a.secret.jwe', 'alert-keys/c1.alert-key.jwe', 'somewhere/key.jwk', 'n1/console-token', 'cordon-walkthrough/nodes/c1/cordon.json']) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it('still tracks the sources and the test vectors', () => {
    for (const path of ['src/cli/bin.js', 'test/vectors/rfc9497-oprf/allVectors.json', 'README.md']) expect(ignored(path), path).toBe(false);
  });
});
