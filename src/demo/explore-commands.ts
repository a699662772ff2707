/**
 * Ready-made commands to explore a running demo federation from another
 * terminal (`cordon demo --keep DIR`): every command takes `--node` with a
 * node's directory, which holds its config, keys and manifest. Pure: the
 * caller prints the lines.
 */
export interface ExploreTarget {
  /** The directory the demo laid the nodes out in (one subdirectory per node id). */
  root: string;
  /** Console login URLs (with `?token=`) by node id. */
  consoles: Record<string, string>;
  /** A provider the planted campaign hit, and the consortium's id for it. */
  provider: string;
  campaign?: string;
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

export function exploreCommands(t: ExploreTarget): string[] {
  const node = (id: string) => quote(`${t.root}/${id}`);
  const lines = [
    `Node directories kept in ${t.root} (one per node: config, keys, manifest, console-token).`,
    'While the demo runs, from another terminal:',
    `  npm run cordon -- campaigns --node ${node('consortium-1')}          # every campaign, as a consortium node sees it`,
    `  npm run cordon -- campaigns --node ${node(t.provider)}            # the campaigns ${t.provider}'s own records are in`,
  ];
  if (t.campaign) lines.push(`  npm run cordon -- campaigns show ${t.campaign} --node ${node('consortium-1')}   # one campaign and its timeline`);
  lines.push(
    `  npm run cordon -- alerts --node ${node(t.provider)}               # ${t.provider}'s alert inbox`,
    `  npm run cordon -- status --node ${node(t.provider)}               # chain heads at every consortium node`,
    'Consoles (log in by opening the URL; the regulator\'s is read-only):',
    ...Object.entries(t.consoles).sort(([a], [b]) => a.localeCompare(b)).map(([id, url]) => `  ${id.padEnd(13)} ${url}`),
  );
  return lines;
}
