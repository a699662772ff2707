// Worker threads start without the parent's loaders, so this plain-JS entry
// registers tsx (as src/cli/bin.js does) before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
