#!/usr/bin/env node
// Entry point of the `cordon` command. TypeScript sources run through tsx, so
// there is no build step between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
