// Metered usage: a chart per day (uPlot) and a table per instance over the days chosen, and the same as CSV.
import { api, session } from './api.js';
import { h, mount, errorBox, toast } from './dom.js';

const DAY_MS = 86_400_000;

function isoDay(date) { return date.toISOString().slice(0, 10); }

function gpuSeconds(usage) { return Object.values(usage.gpuSeconds || {}).reduce((a, b) => a + b, 0); }

function hours(seconds) { return (seconds / 3600).toFixed(2); }

export function usageScreen(main, params, ctx) {
  const today = new Date();
  const from = h('input', { type: 'date', value: isoDay(new Date(today.getTime() - 29 * DAY_MS)), 'data-test': 'usage-from' });
  const to = h('input', { type: 'date', value: isoDay(today), 'data-test': 'usage-to' });
  const chart = h('div.usage-chart', { 'data-test': 'usage-chart' });
  const body = h('tbody');
  const status = h('div');
  const totals = h('dl.facts', { 'data-test': 'usage-totals' });
  let plot = null;
  mount(main,
    h('div.page-head', h('div', h('h1', 'Usage'), h('div.sub', ctx.me.admin ? 'What every tenant held, per UTC day.' : 'What your instances and volumes held, per UTC day.'))),
    h('div.panel', h('div.panel-body',
      h('form.row', { onsubmit: (e) => { e.preventDefault(); refresh(); } },
        h('label.field', h('span', 'From'), from), h('label.field', h('span', 'To'), to),
        h('div.field.button-cell', h('button.primary', { type: 'submit', 'data-test': 'usage-show' }, 'Show')),
        h('div.field.button-cell', h('button', { type: 'button', onclick: downloadCsv, 'data-test': 'usage-csv' }, 'Download CSV'))),
      totals, chart)),
    status,
    h('div.panel', h('table', { 'data-test': 'usage-instances' },
      h('thead', h('tr', ctx.me.admin ? h('th', 'Tenant') : null, h('th', 'Instance or volume'), h('th', 'GPU-hours'), h('th', 'Core-hours'),
        h('th', 'Memory GiB-hours'), h('th', 'Volume GiB-hours'), h('th', 'Instance-hours'))), body)));

  const query = () => `from=${from.value}&to=${to.value}`;

  async function refresh() {
    let days;
    let instances;
    try {
      [days, instances] = await Promise.all([api.get(`/usage?by=day&${query()}`), api.get(`/usage?by=instance&${query()}`)]);
      status.replaceChildren();
    } catch (e) {
      status.replaceChildren(errorBox(e));
      return;
    }
    const t = instances.total;
    totals.replaceChildren(h('dt', 'GPU-hours'), h('dd', hours(gpuSeconds(t))), h('dt', 'Core-hours'), h('dd', hours(t.coreSeconds)),
      h('dt', 'Instance-hours'), h('dd', hours(t.instanceSeconds)), h('dt', 'Volume GiB-hours'), h('dd', t.volumeGiBHours.toFixed(2)));
    body.replaceChildren(...(instances.rows.length ? instances.rows.map((r) => h('tr', { 'data-test': 'usage-row' },
      ctx.me.admin ? h('td', r.tenant) : null, h('td', r.kind === 'volume' ? `${r.instance} (volume)` : r.instance),
      h('td', hours(gpuSeconds(r.usage))), h('td', hours(r.usage.coreSeconds)), h('td', hours(r.usage.memoryGiBSeconds)),
      h('td', r.usage.volumeGiBHours.toFixed(2)), h('td', hours(r.usage.instanceSeconds))))
      : [h('tr', h('td.muted', { colspan: 7 }, 'Nothing was metered on these days.'))]));
    draw(days);
  }

  // one point per day of the range, every tenant added up; days without usage are zero, not gaps
  function draw(days) {
    const start = Date.parse(`${from.value}T00:00:00Z`);
    const end = Date.parse(`${to.value}T00:00:00Z`);
    const x = [];
    const gpu = [];
    const cores = [];
    const inst = [];
    const index = new Map();
    for (let d = start; d <= end; d += DAY_MS) {
      index.set(isoDay(new Date(d)), x.length);
      x.push(d / 1000);
      gpu.push(0); cores.push(0); inst.push(0);
    }
    for (const r of days.rows) {
      const i = index.get(r.day);
      if (i === undefined) continue;
      gpu[i] += gpuSeconds(r.usage) / 3600;
      cores[i] += r.usage.coreSeconds / 3600;
      inst[i] += r.usage.instanceSeconds / 3600;
    }
    if (plot) plot.destroy();
    if (typeof window.uPlot !== 'function') {
      chart.replaceChildren(h('div.muted', 'The chart library did not load; the table below has the figures.'));
      return;
    }
    chart.replaceChildren();
    const width = Math.max(320, chart.clientWidth || 800);
    plot = new window.uPlot({
      width, height: 260, tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      series: [{}, { label: 'GPU-hours', stroke: '#2f6fde', fill: 'rgba(47,111,222,0.12)', paths: window.uPlot.paths.bars({ size: [0.6, 40] }) },
        { label: 'Core-hours', stroke: '#d9822b' }, { label: 'Instance-hours', stroke: '#3a9d5d' }],
      axes: [{}, { label: 'hours' }],
    }, [x, gpu, cores, inst], chart);
  }

  async function downloadCsv() {
    const response = await fetch(`api/v1/usage?by=instance&${query()}`, { headers: { Authorization: `Bearer ${session.token}`, Accept: 'text/csv' } });
    if (!response.ok) {
      let msg = `HTTP ${response.status}`;
      try { msg = (await response.json()).msg || msg; } catch (e) { /* not an envelope */ }
      toast(msg, 'error');
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const a = h('a', { href: url, download: `usage-${from.value}-${to.value}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  }

  refresh();
  return () => { if (plot) plot.destroy(); };
}
