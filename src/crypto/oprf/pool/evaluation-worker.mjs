// Entry of an evaluation pool worker. Cordon runs its TypeScript through tsx
// with no build step; a worker thread starts without the parent's loader, so
// it registers tsx itself before loading the worker's code.
import { register } from 'tsx/esm/api';

register();
await import('./evaluation-worker.ts');
