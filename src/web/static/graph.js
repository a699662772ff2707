// SVG drawings for the console, hand-written (no libraries): the record graph
// of a campaign and a stacked bar chart of a time series.
const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Providers on a circle; each provider's records in a ring around it; each
 * link (shared token or similar template) at the middle of what it joins.
 * Deterministic: the same campaign is always drawn the same way.
 */
export function drawGraph(graph, width = 900, height = 560) {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': 'record graph', 'data-nodes': graph.nodes.length });
  const cx = width / 2, cy = height / 2;
  const pos = new Map();
  const hubs = graph.nodes.filter((n) => n.kind === 'provider' || n.kind === 'others');
  const R = Math.min(width, height) * 0.36;
  // Two hubs side by side, more around a circle starting at the top.
  const start = hubs.length === 2 ? Math.PI : -Math.PI / 2;
  hubs.forEach((n, i) => {
    const a = start + (2 * Math.PI * i) / hubs.length;
    pos.set(n.id, hubs.length === 1 ? [cx - R, cy] : [cx + R * Math.cos(a), cy + R * Math.sin(a)]);
  });
  /** Direction from the centre to a point (unit vector); left for the centre itself. */
  const outward = ([x, y]) => {
    const d = Math.hypot(x - cx, y - cy);
    return d < 1 ? [-1, 0] : [(x - cx) / d, (y - cy) / d];
  };
  const byProvider = new Map();
  for (const n of graph.nodes) if (n.kind === 'record') (byProvider.get(n.provider) ?? byProvider.set(n.provider, []).get(n.provider)).push(n);
  for (const [p, records] of byProvider) {
    const [px, py] = pos.get(`p:${p}`) ?? [cx, cy];
    const [ox, oy] = outward([px, py]);
    // Records fan out on the far side of their provider, away from the links in the middle.
    const r = 46 + Math.min(50, records.length * 1.5);
    const spread = Math.min(Math.PI * 0.9, 0.35 * records.length);
    const theta0 = Math.atan2(oy, ox);
    records.forEach((n, i) => {
      const a = records.length === 1 ? theta0 : theta0 - spread / 2 + (spread * i) / (records.length - 1);
      pos.set(n.id, [px + r * Math.cos(a), py + r * Math.sin(a)]);
    });
  }
  const neighbours = new Map();
  for (const e of graph.edges) {
    (neighbours.get(e.from) ?? neighbours.set(e.from, []).get(e.from)).push(e.to);
    (neighbours.get(e.to) ?? neighbours.set(e.to, []).get(e.to)).push(e.from);
  }
  for (const n of graph.nodes) {
    if (n.kind !== 'link') continue;
    const ps = (neighbours.get(n.id) ?? []).map((id) => pos.get(id)).filter(Boolean);
    const mx = ps.length ? ps.reduce((s, p) => s + p[0], 0) / ps.length : cx;
    const my = ps.length ? ps.reduce((s, p) => s + p[1], 0) / ps.length : cy;
    // Pulled towards the centre, where links between providers belong.
    pos.set(n.id, [mx * 0.6 + cx * 0.4, my * 0.6 + cy * 0.4]);
  }
  const edges = el('g');
  for (const e of graph.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const line = el('line', { class: 'edge', x1: a[0], y1: a[1], x2: b[0], y2: b[1] });
    if (e.label) line.appendChild(el('title', {}, e.label));
    edges.appendChild(line);
    if (e.label && graph.nodes.length < 12) edges.appendChild(el('text', { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 - 4, 'text-anchor': 'middle' }, e.label));
  }
  svg.appendChild(edges);
  const nodes = el('g');
  const showRecordLabels = graph.nodes.filter((n) => n.kind === 'record').length <= 40;
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const radius = n.kind === 'provider' ? 14 + Math.min(16, Math.sqrt(n.weight ?? 0)) : n.kind === 'others' ? 14 : n.kind === 'link' ? 6 : 5;
    const c = el('circle', { class: `node n-${n.kind}`, cx: p[0], cy: p[1], r: radius, 'data-id': n.id });
    c.appendChild(el('title', {}, n.label));
    nodes.appendChild(c);
    if (n.kind === 'record' && showRecordLabels) {
      // Labels point away from the record's provider, so they do not pile up on it.
      const hub = pos.get(`p:${n.provider}`) ?? [cx, cy];
      const d = Math.hypot(p[0] - hub[0], p[1] - hub[1]) || 1;
      const ux = (p[0] - hub[0]) / d, uy = (p[1] - hub[1]) / d;
      const anchor = ux > 0.3 ? 'start' : ux < -0.3 ? 'end' : 'middle';
      nodes.appendChild(el('text', { x: p[0] + ux * 9, y: p[1] + uy * 9 + 4, 'text-anchor': anchor }, n.label));
    } else if (n.kind === 'provider' || n.kind === 'others') {
      // Hub labels face the centre (their records are on the outer side).
      const [ox, oy] = outward(p);
      const inward = hubs.length > 1 ? -1 : 1;
      nodes.appendChild(el('text', { x: p[0] + inward * ox * (radius + 8), y: p[1] + inward * oy * (radius + 8) + 4, 'text-anchor': 'middle', class: 'hub-label' }, n.label));
    }
  }
  svg.appendChild(nodes);
  return svg;
}

const MAX_BAR = 48;
const PALETTE = ['#2e5aac', '#f79009', '#7a5af8', '#067647', '#b42318', '#0e9384'];

/** Stacked bars, one per time bucket, one colour per kind. */
export function drawSeries(series, width = 900, height = 260) {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': series.title, 'data-total': series.total });
  const pad = { l: 40, r: 10, t: 10, b: 30 };
  const max = Math.max(1, ...series.buckets.map((b) => Object.values(b.counts).reduce((s, n) => s + n, 0)));
  const w = (width - pad.l - pad.r) / Math.max(1, series.buckets.length);
  const y = (v) => height - pad.b - (v / max) * (height - pad.t - pad.b);
  svg.appendChild(el('line', { class: 'axis', x1: pad.l, y1: y(0), x2: width - pad.r, y2: y(0) }));
  svg.appendChild(el('text', { x: pad.l - 6, y: y(max) + 4, 'text-anchor': 'end' }, String(max)));
  svg.appendChild(el('text', { x: pad.l - 6, y: y(0), 'text-anchor': 'end' }, '0'));
  series.buckets.forEach((b, i) => {
    let base = 0;
    series.kinds.forEach((k, j) => {
      const n = b.counts[k] ?? 0;
      if (n === 0) return;
      // Bars no wider than MAX_BAR: a series of one or two buckets stays a bar chart, not a block.
      const bw = Math.max(1, Math.min(MAX_BAR, w - 2));
      const rect = el('rect', { class: 'bar', x: pad.l + i * w + (w - bw) / 2, y: y(base + n), width: bw, height: y(base) - y(base + n), fill: PALETTE[j % PALETTE.length] });
      rect.appendChild(el('title', {}, `${b.start}: ${n} ${k}`));
      svg.appendChild(rect);
      base += n;
    });
  });
  const first = series.buckets[0], last = series.buckets[series.buckets.length - 1];
  if (first) svg.appendChild(el('text', { x: pad.l, y: height - 8 }, new Date(first.start).toLocaleTimeString()));
  if (last && last !== first) svg.appendChild(el('text', { x: width - pad.r, y: height - 8, 'text-anchor': 'end' }, new Date(last.start).toLocaleTimeString()));
  return svg;
}

export const kindColour = (i) => PALETTE[i % PALETTE.length];
