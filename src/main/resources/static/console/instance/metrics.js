// The metrics tab: GPU utilization and memory, CPU and memory of the instance over the last 15 minutes (uPlot), and its
// idle badge when an idle-reclaim policy counts it idle. The figures are sampled every few seconds on the instance's
// node: read again at that period, and at once when an event about the instance arrives.
import { api } from '../api.js';
import { h, errorBox, poll } from '../dom.js';
import { onEvent } from '../events.js';

const GIB = 1024 ** 3;

function time(iso) { return new Date(iso).toLocaleTimeString(); }

/** The idle badge: since when, and what happens when (or that an open session holds it back). */
export function idleBadge(idle) {
  if (!idle) return null;
  const due = idle.actionAt && !idle.actionAt.startsWith('+') && new Date(idle.actionAt).getFullYear() < 9999 ? ` · ${idle.action} at ${time(idle.actionAt)}` : '';
  const why = idle.sparedForSession ? ' · waits for the open session' : '';
  return h(`span.badge.idle${idle.warned ? '.warned' : ''}`, { 'data-test': 'idle-badge', title: `GPUs idle since ${idle.idleSince}` },
    `idle since ${time(idle.idleSince)}${due}${why}`);
}

export function openMetrics(content, page) {
  const status = h('div');
  const badgeCell = h('div', { 'data-test': 'idle-cell' });
  const facts = h('dl.facts', { 'data-test': 'metrics-latest' });
  const utilChart = h('div.metrics-chart', { 'data-test': 'metrics-chart', 'data-series': 'utilization' });
  const memChart = h('div.metrics-chart', { 'data-test': 'metrics-chart', 'data-series': 'memory' });
  content.replaceChildren(status, h('div.panel', h('div.panel-body',
    h('div.section-head', h('h2', 'Last 15 minutes'), badgeCell), facts,
    h('h3', 'Utilization (%)'), utilChart, h('h3', 'Memory (GiB)'), memChart)));
  const plots = [];

  async function refresh() {
    let m;
    try {
      m = await api.get(`${page.path}/metrics?since=15m`);
      status.replaceChildren();
    } catch (e) {
      status.replaceChildren(errorBox(e));
      throw e;
    }
    badgeCell.replaceChildren(idleBadge(m.idle) || h('span.muted', m.latest ? 'not idle' : 'not running'));
    const l = m.latest;
    facts.replaceChildren(
      h('dt', 'GPU utilization'), h('dd', l && l.gpus.length ? `${Math.round(l.gpus.reduce((a, g) => a + (g.utilizationPercent ?? 0), 0) / l.gpus.length)} %` : '—'),
      h('dt', 'GPU memory'), h('dd', l && l.gpus.length ? `${(l.gpus.reduce((a, g) => a + (g.memoryUsedMiB ?? 0), 0) / 1024).toFixed(1)} GiB` : '—'),
      h('dt', 'CPU'), h('dd', l && l.cpuPercent != null ? `${l.cpuPercent.toFixed(1)} % of a core` : '—'),
      h('dt', 'Memory'), h('dd', l && l.memoryBytes != null ? `${(l.memoryBytes / GIB).toFixed(2)} GiB` : '—'),
      h('dt', 'Sampled'), h('dd', l ? `${time(l.at)} on ${m.node}, every ${m.periodSeconds} s` : '—'));
    const pts = m.recent || [];
    const x = pts.map((p) => Date.parse(p.at) / 1000);
    draw(0, utilChart, [x, pts.map((p) => p.gpuUtilizationPercent ?? null), pts.map((p) => p.cpuPercent ?? null)],
      [{ label: 'GPU %', stroke: '#2f6fde', fill: 'rgba(47,111,222,0.10)' }, { label: 'CPU % of a core', stroke: '#d9822b' }]);
    draw(1, memChart, [x, pts.map((p) => (p.gpuMemoryUsedMiB == null ? null : p.gpuMemoryUsedMiB / 1024)), pts.map((p) => (p.memoryBytes == null ? null : p.memoryBytes / GIB))],
      [{ label: 'GPU memory', stroke: '#7b4fd6', fill: 'rgba(123,79,214,0.10)' }, { label: 'Memory', stroke: '#3a9d5d' }]);
  }

  function draw(i, target, data, series) {
    target.dataset.points = String(data[0].length);
    if (typeof window.uPlot !== 'function') {
      target.replaceChildren(h('div.muted', 'The chart library did not load.'));
      return;
    }
    if (plots[i]) {
      plots[i].setData(data);
      return;
    }
    const width = Math.max(320, target.clientWidth || 800);
    plots[i] = new window.uPlot({ width, height: 220, series: [{}, ...series], axes: [{}, {}], scales: { x: { time: true } } }, data, target);
  }

  const stopPoll = poll(refresh, 5000);
  const stopEvents = onEvent((e) => { if (e.instance === page.name) refresh().catch(() => {}); });
  return () => { stopPoll(); stopEvents(); plots.forEach((p) => p.destroy()); };
}
