import { CordonError } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { AlertClient } from '../../match/client/alert-client.js';
import { alertJson, describeAlert } from '../../match/describe-alert.js';
import { signFeedback } from '../../match/feedback.js';
import { AlertWatcher } from '../../match/inbox/alert-watcher.js';
import { inboxAfter } from '../../match/inbox/inbox-store.js';
import { createLogger } from '../../log.js';
import { openNodeDatabase } from '../../store/database.js';
import { errorMessage } from '../../errors.js';
import { loadNodeConfig, parseCommandArgs, requireOption, type Command } from '../command.js';

/** How often --follow looks for alerts another process (the running node) stored. */
const FOLLOW_POLL_MS = 500;

export const alerts: Command = {
  name: 'alerts',
  summary: 'fetch and print the alerts consortium nodes sent this provider (--follow to keep watching)',
  help: `Usage: cordon alerts [--node DIR] [--follow] [--json] [--since N]

Fetches this provider's alerts from every consortium node it publishes to, stores them in the
node's inbox (deduplicated by alert id: the same alert comes from every consortium node) and
prints the inbox, oldest first. Each node's stream resumes from the cursor stored with the
last alert it delivered, so nothing is lost or repeated across runs.

Kinds: overlap (your records share a token or a similar template with another provider's),
campaign_growth, withdrawal (an overlap no longer holds: retraction, expiry, quarantine),
feedback (another provider's verdict on a shared overlap).

Options:
  --follow   keep watching and print alerts as they arrive (Ctrl-C to stop)
  --json     one JSON object per line
  --since N  print only inbox entries after inbox sequence N

Example: cordon alerts --node nodes/p1 --follow`,
  async run(argv, io) {
    const { values } = parseCommandArgs('alerts', argv, { node: { type: 'string' }, follow: { type: 'boolean' }, json: { type: 'boolean' }, since: { type: 'string' } }, false);
    const config = await loadNodeConfig(values);
    if (config.role !== 'provider') throw new CordonError('INVALID_INPUT', `cordon alerts: ${config.id} is a ${config.role} node; alerts are delivered to providers`);
    let since = 0n;
    if (values.since !== undefined) {
      if (!/^\d{1,18}$/.test(values.since)) throw new CordonError('INVALID_INPUT', `cordon alerts: --since must be a non-negative integer, got '${values.since}'`);
      since = BigInt(values.since);
    }
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const db = await openNodeDatabase(config);
    const log = createLogger({ node: config.id, command: 'alerts' }, { level: 'warn' });
    const watcher = new AlertWatcher({ sql: db.sql, self: { id: config.id, key: key.privateKey }, log, peers: () => consortiumPeers(membership, config.id, config.publish_to) });
    const print = async () => {
      for (;;) {
        const page = await inboxAfter(db.sql, since, 500);
        for (const row of page) {
          io.out(values.json ? JSON.stringify({ seq: Number(row.seq), received_from: row.receivedFrom, ...alertJson(row.alert) }) : `#${row.seq} ${describeAlert(row.alert)}`);
          since = row.seq;
        }
        if (page.length < 500) return;
      }
    };
    try {
      await watcher.catchUp();
      await print();
      if (!values.follow) return 0;
      watcher.start();
      let wake: () => void = () => undefined;
      watcher.onAlerts(() => wake());
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      let stopped = false;
      void stop.then(() => (stopped = true));
      while (!stopped) {
        await Promise.race([stop, new Promise<void>((r) => { wake = r; setTimeout(r, FOLLOW_POLL_MS); })]);
        await print();
      }
      return 0;
    } finally {
      await watcher.stop();
      await db.close({ stopServer: false });
    }
  },
};

export const alertsFeedback: Command = {
  name: 'alerts feedback',
  summary: 'mark an overlap confirmed or a false positive (signed; the other providers see it)',
  help: `Usage: cordon alerts feedback --overlap ID --verdict confirmed|false-positive [--note TEXT] [--node DIR]

Signs the verdict with this provider's node key and sends it to every consortium node it
publishes to. The other providers in the overlap receive a feedback alert, and the campaign's
score moves (confirmations raise it, false positives lower it more).
--overlap takes the overlap id of an alert (overlap_id in cordon alerts --json).

Example: cordon alerts feedback --node nodes/p1 --overlap lt-3f… --verdict confirmed`,
  async run(argv, io) {
    const { values } = parseCommandArgs('alerts feedback', argv, { node: { type: 'string' }, overlap: { type: 'string' }, verdict: { type: 'string' }, note: { type: 'string' } }, false);
    const overlap = requireOption('alerts feedback', values, 'overlap');
    const verdictArg = requireOption('alerts feedback', values, 'verdict');
    const verdict = verdictArg === 'confirmed' ? 'confirmed' : verdictArg === 'false-positive' || verdictArg === 'false_positive' ? 'false_positive' : undefined;
    if (!verdict) throw new CordonError('INVALID_INPUT', `cordon alerts feedback: --verdict must be confirmed or false-positive, got '${verdictArg}'`);
    if (!/^l[tm]-[0-9a-f]{32}$/.test(overlap)) throw new CordonError('INVALID_INPUT', `cordon alerts feedback: --overlap must be an overlap id (lt-… or lm-… with 32 hex digits), got '${overlap}'`);
    const config = await loadNodeConfig(values);
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const self = { id: config.id, key: key.privateKey };
    const jws = await signFeedback({ overlap_id: overlap, verdict, ...(values.note ? { note: values.note } : {}) }, self);
    let ok = 0;
    for (const peer of consortiumPeers(membership, config.id, config.publish_to)) {
      const client = new AlertClient(self, peer);
      try {
        const res = await client.submitFeedback(jws);
        ok++;
        io.out(`${peer.id}: recorded; campaign ${res.campaignId || '-'} score ${res.campaignScore.toFixed(3)}`);
      } catch (err) {
        io.err(`${peer.id}: ${errorMessage(err)}`);
      } finally {
        client.close();
      }
    }
    return ok > 0 ? 0 : 1;
  },
};
