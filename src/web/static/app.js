// The Cordon console: a tiny hash-routed single-page app over the node's
// read-only JSON API (/api/…). Data is put into the page as text nodes only.
import { drawGraph, drawSeries, kindColour } from './graph.js';

const main = document.getElementById('main');

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
}

async function api(path) {
  const res = await fetch(path, { credentials: 'same-origin' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const short = (hex) => (hex && hex.length > 16 ? `${hex.slice(0, 16)}…` : hex);

function table(allColumns, rows, opts = {}) {
  // Columns with nothing in any row (a role without that field) are left out.
  const columns = allColumns.filter((c) => rows.some((r) => { const v = c.value(r); return v !== '' && v !== undefined && v !== null; }));
  const t = h('table', opts.id ? { id: opts.id } : {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.title)))),
    h('tbody', {}, rows.map((r) => {
      const tr = h('tr', opts.onRow ? { class: 'clickable' } : {}, columns.map((c) => h('td', c.mono ? { class: 'mono' } : {}, c.value(r))));
      if (opts.onRow) tr.addEventListener('click', () => opts.onRow(r));
      if (opts.rowId) tr.setAttribute('data-id', opts.rowId(r));
      return tr;
    })));
  return rows.length ? t : h('p', { class: 'muted' }, opts.empty ?? 'Nothing yet.');
}

function kv(pairs) {
  return h('div', { class: 'kv' }, pairs.flatMap(([k, v]) => [h('span', { class: 'muted' }, k), h('span', {}, v)]));
}

const views = {
  async campaigns() {
    const { campaigns } = await api('/api/campaigns');
    return [h('h2', {}, `Campaigns (${campaigns.length})`),
      table([
        { title: 'Campaign', value: (c) => c.id, mono: true },
        { title: 'Providers', value: (c) => (c.providers.length === c.provider_count ? c.providers.join(', ') : `${c.providers.join(', ')} + ${c.provider_count - c.providers.length} other(s)`) },
        { title: 'Records', value: (c) => c.record_count },
        { title: 'Score', value: (c) => c.score.toFixed(2) },
        { title: 'Labels', value: (c) => c.labels.join(', ') },
        { title: 'Last seen', value: (c) => when(c.last_seen) },
      ], campaigns, { id: 'campaigns', rowId: (c) => c.id, onRow: (c) => (location.hash = `#/campaigns/${c.id}`), empty: 'No campaigns this node may show.' })];
  },

  async campaign(id) {
    const d = await api(`/api/campaigns/${encodeURIComponent(id)}`);
    const c = d.campaign;
    const legend = h('p', { class: 'legend muted' }, [['provider', 'provider'], ['record', 'record'], ['link (shared token / similar template)', 'link']].map(([text, kind]) =>
      h('span', {}, h('span', { class: `swatch s-${kind}` }), text)));
    return [h('p', {}, h('a', { href: '#/campaigns' }, '← campaigns')),
      h('h2', { id: 'campaign-title' }, `Campaign ${c.id}`),
      h('div', { class: 'card' }, kv([
        ['Status', c.status], ['Providers', `${c.providers.join(', ')} (${c.provider_count} in all)`], ['Records', c.record_count],
        ['Accounts / templates', `${c.account_count} / ${c.template_count}`], ['Score', c.score.toFixed(3)], ['Labels', c.labels.join(', ')],
        ['First / last seen', `${when(c.first_seen)} – ${when(c.last_seen)}`], ['Founded', when(c.founded)],
      ])),
      h('h3', {}, 'Linked records across providers'), legend,
      h('div', { class: 'card', id: 'graph' }, drawGraph(d.graph)),
      h('h3', {}, 'Records'),
      table([
        { title: 'Provider', value: (r) => r.provider },
        { title: 'Record', value: (r) => r.record_id ?? `${r.count} records`, mono: true },
        { title: 'Kind', value: (r) => r.kind ?? '' },
        { title: 'Labels', value: (r) => (r.labels ?? []).join(', ') },
        { title: 'Score', value: (r) => (r.score === undefined ? '' : r.score.toFixed(2)) },
        { title: 'Seen (linked)', value: (r) => (r.first_seen ? `${when(r.first_seen)} – ${when(r.last_seen)}` : r.published ? `(${when(r.published)})` : '') },
      ], d.records, { id: 'records', empty: 'No records this node may show.' }),
      h('h3', {}, 'Timeline'),
      table([
        { title: 'When', value: (e) => when(e.at) },
        { title: 'Event', value: (e) => e.kind },
        { title: 'Detail', value: (e) => JSON.stringify(e.detail), mono: true },
      ], d.timeline, { id: 'timeline' })];
  },

  async alerts() {
    const s = await api('/api/alerts');
    const swatch = (i) => {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = kindColour(i); // CSSOM, allowed by the console's CSP (inline style attributes are not)
      return sw;
    };
    return [h('h2', {}, `${s.title} (${s.total})`), h('p', { class: 'muted' }, s.note),
      h('div', { class: 'card', id: 'chart' }, drawSeries(s)),
      h('p', { class: 'legend' }, s.kinds.map((k, i) => h('span', {}, swatch(i), k)))];
  },

  async cases() {
    const v = await api('/api/cases');
    if (!v.available) return [h('h2', {}, 'Cases'), h('p', { class: 'muted', id: 'cases-note' }, v.note)];
    return [h('h2', {}, `Cases (${v.cases.length})`), h('p', { class: 'muted', id: 'cases-note' }, v.note),
      ...v.unreachable.map((u) => h('p', { class: 'error' }, `Not reachable: ${u}`)),
      table([
        { title: 'Case', value: (c) => c.id, mono: true },
        { title: 'Status', value: (c) => c.status },
        { title: 'Opened by', value: (c) => c.opener },
        { title: 'Our part', value: (c) => c.role },
        { title: 'Held at', value: (c) => c.held_at },
        { title: 'Opened', value: (c) => when(c.opened) },
      ], v.cases, { id: 'cases', rowId: (c) => c.id, onRow: (c) => (location.hash = `#/cases/${c.id}`), empty: 'No cases this node may show.' })];
  },

  async case(id) {
    const v = await api('/api/cases');
    const c = v.cases.find((x) => x.id === id);
    if (!c) return [h('p', { class: 'error' }, `case ${id}: not found`)];
    return [h('p', {}, h('a', { href: '#/cases' }, '← cases')), h('h2', { id: 'case-title' }, `Case ${c.id} (${c.status})`),
      h('div', { class: 'card' }, kv([['Opened by', c.opener], ['Held at', c.held_at], ['Our part', c.role], ['Opened', when(c.opened)]])),
      h('h3', {}, 'Timeline'),
      table([{ title: 'When', value: (e) => when(e.at) }, { title: 'Event', value: (e) => e.kind }, { title: 'Detail', value: (e) => e.detail }], c.timeline, { id: 'case-timeline' })];
  },

  async reports() {
    const v = await api('/api/reports');
    return [h('h2', {}, `Filed reports (${v.reports.length})`), h('p', { class: 'muted' }, v.note),
      table([
        { title: 'Report', value: (r) => short(r.id), mono: true },
        { title: 'Provider', value: (r) => r.provider },
        { title: 'Campaign', value: (r) => r.campaign_ref, mono: true },
        { title: 'Indicators', value: (r) => r.indicators.length },
        { title: 'Received', value: (r) => when(r.received_at) },
        { title: 'Narrative', value: (r) => r.narrative },
      ], v.reports, { id: 'reports', rowId: (r) => r.id })];
  },

  async audit() {
    const a = await api('/api/audit');
    const out = [h('h2', {}, 'Audit'), h('p', { class: 'muted' }, a.note)];
    const heads = [{ title: 'Log', value: (x) => x.log }, { title: 'Size', value: (x) => x.size }, { title: 'Root', value: (x) => short(x.root), mono: true }, { title: 'Signed', value: (x) => when(x.signed_at) }];
    if (a.own_log) out.push(h('h3', {}, 'This node\'s log'), table(heads, [a.own_log], { id: 'own-log' }));
    if (a.role === 'consortium') out.push(h('h3', {}, 'Peers\' heads observed'), table(heads, a.peer_heads, { id: 'peer-heads' }));
    if (a.role === 'regulator') {
      out.push(h('h3', {}, 'Witnessed logs'), table([
        { title: 'Log', value: (w) => w.log },
        { title: 'Verdict', value: (w) => h('span', { class: `verdict-${w.verdict === 'verified' ? 'verified' : 'findings'}` }, w.verdict) },
        { title: 'Accepted head', value: (w) => (w.head ? `size ${w.head.size}, root ${short(w.head.root)}` : '') },
        { title: 'Signed', value: (w) => when(w.head?.signed_at) },
      ], a.witnessed, { id: 'witnessed', rowId: (w) => w.log }));
      out.push(h('h3', {}, `Findings (${a.findings.length})`), table([
        { title: 'Kind', value: (f) => f.kind }, { title: 'Log', value: (f) => f.log ?? '' }, { title: 'Provider', value: (f) => f.provider ?? '' },
        { title: 'Detail', value: (f) => f.detail }, { title: 'First seen', value: (f) => when(f.first_seen) },
      ], a.findings, { id: 'findings', empty: 'No findings: every log verified.' }));
    }
    if (a.role === 'provider') out.push(h('h3', {}, 'Receipts'), table([
      { title: 'Report', value: (r) => short(r.report), mono: true }, { title: 'Campaign', value: (r) => r.campaign, mono: true },
      { title: 'Regulator', value: (r) => r.regulator }, { title: 'Received', value: (r) => when(r.received) },
    ], a.receipts, { id: 'receipts' }));
    return out;
  },

  async health() {
    const x = await api('/api/health');
    return [h('h2', {}, 'Node health'),
      h('div', { class: 'card', id: 'health' }, kv([
        ['Node', x.node], ['Role', x.role], ['Organisation', x.org], ['Consortium', x.consortium], ['Manifest version', x.manifest_version],
        ['Parts', x.parts.join(', ')], ['Database', x.database], ['Started', `${when(x.started_at)} (up ${x.uptime_s} s)`],
        ...(x.log_size !== undefined ? [['Log size', x.log_size]] : []),
      ])),
      h('h3', {}, 'Chain heads'),
      table([{ title: 'Provider', value: (r) => r.provider }, { title: 'Seq', value: (r) => r.seq }, { title: 'Updated', value: (r) => when(r.updated) }], x.chain_heads, { id: 'chain-heads' }),
      h('h3', {}, 'Members'),
      table([{ title: 'Member', value: (m) => m.id }, { title: 'Role', value: (m) => m.role }, { title: 'Status', value: (m) => m.status }], x.members, { id: 'members' })];
  },
};

async function render() {
  const [, view = 'campaigns', arg] = location.hash.split('/');
  const name = arg ? (view === 'campaigns' ? 'campaign' : view === 'cases' ? 'case' : view) : view;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === view);
  main.setAttribute('data-view', name);
  main.setAttribute('aria-busy', 'true');
  try {
    const content = await (views[name] ?? views.campaigns)(arg && decodeURIComponent(arg));
    main.replaceChildren(...content);
  } catch (err) {
    main.replaceChildren(h('p', { class: 'error' }, `Could not load this view: ${err.message}`));
  }
  main.setAttribute('aria-busy', 'false');
}

async function whoami() {
  try {
    const x = await api('/api/health');
    document.getElementById('who').textContent = `${x.node} · ${x.role}${x.role === 'regulator' ? ' · read-only' : ''}`;
    document.body.dataset.role = x.role;
  } catch { /* the view shows the error */ }
}

window.addEventListener('hashchange', render);
whoami();
render();
