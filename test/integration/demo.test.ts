import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';

/** The README's main command: the whole story runs and its summary shows what it claims. */
describe('npm run demo', () => {
  it('publishes, replicates everywhere, and refuses tampering and regulator writes', async () => {
    const lines: string[] = [];
    const { summary, root, stop } = await runDemo({ records: 3_000, exit: true, say: (l) => lines.push(l) });
    try {
      expect(summary.records_published).toBe(4_500);
      expect(summary.tampered_batch).toMatch(/does not verify/);
      expect(summary.regulator_write).toMatch(/role regulator may not call/);
      expect(lines.join('\n')).toMatch(/regulator\s+holds both chains: provider-a#1, provider-b#1; 4,500 records/);
    } finally {
      await stop();
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
