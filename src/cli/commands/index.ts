import type { Command } from '../command.js';
import { detectCommand } from './detect.js';
import { evaluateCommand } from './evaluate.js';
import { simulateCommand } from './simulate.js';
import { consortiumAddMember, consortiumCreate, consortiumPush, consortiumRevoke, consortiumShow, consortiumSign } from './consortium.js';
import { demo } from './demo.js';
import { health } from './health.js';
import { init } from './init.js';
import { consortiumIssueSecret, secretInstall } from './issue-secret.js';
import { rotate } from './rotate.js';
import { nodeStart } from './node-start.js';
import { publish } from './publish.js';
import { status } from './status.js';

/** Every subcommand of `cordon`, in the order `cordon --help` lists them. */
export const commands: readonly Command[] = [
  init,
  consortiumCreate,
  consortiumAddMember,
  consortiumRevoke,
  consortiumSign,
  consortiumShow,
  consortiumPush,
  consortiumIssueSecret,
  secretInstall,
  nodeStart,
  publish,
  rotate,
  simulateCommand,
  detectCommand,
  evaluateCommand,
  status,
  health,
  demo,
];
