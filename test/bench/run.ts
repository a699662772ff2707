import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- NAME [args]`: runs test/bench/NAME.ts in its own process.
 * Each benchmark prints JSON lines; the last one is its summary, with every
 * figure beside the baseline it measured in the same run.
 */
const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.log(`Usage: npm run bench -- NAME [--quick]\n\nBenchmarks: ${available.join(', ')}`);
  process.exit(name ? 0 : 2);
}
const file = join(here, `${name}.ts`);
if (!existsSync(file)) {
  console.error(`bench: no benchmark '${name}' (available: ${available.join(', ')})`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
