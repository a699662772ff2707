import type { Command } from '../command.js';
import { aggregatesCommand } from './aggregates.js';
import { alerts, alertsFeedback } from './alerts.js';
import { auditFindings, auditFsck, auditVerify } from './audit.js';
import { campaigns, campaignsShow } from './campaigns.js';
import { caseClose, caseEscalate, caseList, caseOpen, caseProbing, caseRespond, caseShow } from './case.js';
import { detectCommand } from './detect.js';
import { evaluateCommand } from './evaluate.js';
import { exportMisp, exportStix } from './export.js';
import { simulateCommand } from './simulate.js';
import { consortiumAddMember, consortiumCreate, consortiumPush, consortiumRevoke, consortiumShow, consortiumSign } from './consortium.js';
import { demo } from './demo.js';
import { doctor } from './doctor.js';
import { health } from './health.js';
import { init } from './init.js';
import { alertKeyInstall, consortiumIssueAlertKey, consortiumIssueSecret, secretInstall } from './issue-secret.js';
import { consortiumSetPolicy } from './consortium-policy.js';
import { oprfKeygen, oprfReshare, oprfStatus } from './oprf.js';
import { rotate } from './rotate.js';
import { nodeStart } from './node-start.js';
import { publish } from './publish.js';
import { psi } from './psi.js';
import { reportFile, reportList, reportRecord, reportShow } from './report.js';
import { status } from './status.js';
import { taxiiAddUser, taxiiRevokeUser, taxiiUsers } from './taxii.js';

/** Every subcommand of `cordon`, in the order `cordon --help` lists them. */
export const commands: readonly Command[] = [
  init,
  consortiumCreate,
  consortiumAddMember,
  consortiumRevoke,
  consortiumSign,
  consortiumShow,
  consortiumPush,
  consortiumSetPolicy,
  consortiumIssueSecret,
  secretInstall,
  consortiumIssueAlertKey,
  alertKeyInstall,
  nodeStart,
  publish,
  rotate,
  oprfKeygen,
  oprfReshare,
  oprfStatus,
  simulateCommand,
  detectCommand,
  evaluateCommand,
  alerts,
  alertsFeedback,
  campaigns,
  campaignsShow,
  aggregatesCommand,
  reportFile,
  reportRecord,
  reportList,
  reportShow,
  caseOpen,
  caseList,
  caseShow,
  caseRespond,
  caseEscalate,
  caseClose,
  caseProbing,
  psi,
  exportStix,
  exportMisp,
  taxiiAddUser,
  taxiiRevokeUser,
  taxiiUsers,
  auditFsck,
  auditVerify,
  auditFindings,
  status,
  health,
  doctor,
  demo,
];
