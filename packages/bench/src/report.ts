/** Terminal table, JSON and SVG chart of a run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, ScenarioResult, TargetName } from './results';

/** Metrics shown in the terminal table, in this order, when a target has them. */
const TABLE_METRICS: [string, string][] = [
  ['connect.connected', 'clients connected'],
  ['connect.ms', 'connect all (ms)'],
  ['connect.cpuMsPerConn', 'server CPU per connect (ms)'],
  ['connect.readyKB', 'session.ready size (KB)'],
  ['connect.otherFrames', 'other frames during connect'],
  ['connect.otherMB', 'other frames during connect (MB)'],
  ['mem.kbPerConn', 'server RSS per connection (KB)'],
  ['latency.msgsPerSec', 'latency: messages/s'],
  ['latency.deliveriesPerSec', 'latency: deliveries/s'],
  ['latency.p50', 'latency: p50 (ms)'],
  ['latency.p95', 'latency: p95 (ms)'],
  ['latency.p99', 'latency: p99 (ms)'],
  ['latency.cpuUsPerDelivery', 'latency: CPU µs/delivery'],
  ['throughput.msgsPerSec', 'max rate: messages/s'],
  ['throughput.deliveriesPerSec', 'max rate: deliveries/s'],
  ['throughput.p50', 'max rate: p50 (ms)'],
  ['throughput.p99', 'max rate: p99 (ms)'],
  ['throughput.cpuCores', 'max rate: server cores busy'],
  ['throughput.cpuUsPerDelivery', 'max rate: CPU µs/delivery'],
  ['throughput.cpuUsPerDeliveryAll', 'max rate: µs/delivery incl. DB+Redis'],
  ['throughput.cpuUsPerMessage', 'max rate: CPU µs/message'],
  ['throughput.rssPeakMB', 'max rate: peak RSS (MB)'],
  ['throughput.errors', 'max rate: errors'],
  ['throughput.lost', 'max rate: deliveries missing'],
  ['storm.resynced', 'storm: resynced'],
  ['storm.ms', 'storm: all resynced (ms)'],
  ['storm.p50', 'storm: p50 (ms)'],
  ['storm.cpuMs', 'storm: server CPU (ms)'],
  ['idle.kbPerConn', 'idle: RSS per connection (KB)'],
  ['idle.rssMB', 'idle: RSS (MB)'],
  ['history.connectP50', 'history: session.ready p50 (ms)'],
  ['history.newestP50', 'history: newest page p50 (ms)'],
  ['history.newestP95', 'history: newest page p95 (ms)'],
  ['history.middleP50', 'history: middle page p50 (ms)'],
  ['history.middleP95', 'history: middle page p95 (ms)'],
  ['history.deepP50', 'history: deep page p50 (ms)'],
  ['history.deepP95', 'history: deep page p95 (ms)'],
  ['mem.rssPeakMB', 'peak RSS (MB)'],
  ['connect.cgroupCores', 'connect: cgroup CPU (cores)'],
  ['ramp.heldUsers', 'ramp: active users held'],
  ['ramp.heldMsgsPerSec', 'ramp: … messages/s'],
  ['ramp.heldDeliveriesPerSec', 'ramp: … deliveries/s'],
  ['ramp.heldP99', 'ramp: … p99 (ms)'],
  ['ramp.heldCgroupCores', 'ramp: … cgroup CPU (cores)'],
  ['ramp.failedUsers', 'ramp: first step missed'],
];

const ORDER: TargetName[] = ['pychat', 'ws', 'ws+redis'];

function fmt(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) {
    return '–';
  }
  if (Number.isInteger(value) || Math.abs(value) >= 1000) {
    return Math.round(value).toLocaleString('en-US');
  }
  if (Math.abs(value) >= 100) {
    return value.toFixed(0);
  }
  if (Math.abs(value) >= 10) {
    return value.toFixed(1);
  }
  return value.toFixed(2);
}

export function renderTable(scenario: ScenarioResult): string {
  const lines: string[] = [];
  lines.push('');
  const load = scenario.loadAvg ? `, load ${scenario.loadAvg[0]}→${scenario.loadAvg[1]}` : '';
  lines.push(
    `■ ${scenario.scenario} [${scenario.backend}, ${scenario.clients} clients${load}] ${scenario.description}`,
  );
  if (scenario.error) {
    lines.push(`  ${scenario.error}`);
    return lines.join('\n');
  }
  const targets = ORDER.map((name) => scenario.targets.find((t) => t.target === name)).filter((t) => t !== undefined);
  const header = [
    'metric'.padEnd(38),
    ...targets.map((t) => t.label.padStart(22)),
    '÷ ws'.padStart(8),
    '÷ ws+Redis'.padStart(11),
  ];
  lines.push(header.join(' '));
  for (const [key, title] of TABLE_METRICS) {
    if (!targets.some((t) => t.metrics[key] !== undefined)) {
      continue;
    }
    const ratio = scenario.ratios.find((r) => r.metric === key);
    lines.push(
      [
        title.padEnd(38),
        ...targets.map((t) => fmt(t.metrics[key]).padStart(22)),
        (ratio?.vsWs ? `${fmt(ratio.vsWs)}×` : '').padStart(8),
        (ratio?.vsRedis ? `${fmt(ratio.vsRedis)}×` : '').padStart(11),
      ].join(' '),
    );
  }
  for (const target of targets) {
    for (const error of target.errors) {
      lines.push(`  ! ${target.target}: ${error.slice(0, 300)}`);
    }
  }
  for (const check of scenario.checks) {
    const mark = check.met === null ? '?' : check.met ? '✓' : '✗';
    lines.push(`  ${mark} target: ${check.target} — ${check.metric} = ${fmt(check.value)} (${check.limit})`);
  }
  return lines.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

/** Metrics drawn as Pychat ÷ baseline bars. */
const CHART_RATIOS = [
  'connect.ms',
  'mem.kbPerConn',
  'latency.p99',
  'latency.cpuUsPerDelivery',
  'throughput.deliveriesPerSec',
  'throughput.cpuUsPerDelivery',
  'storm.ms',
  'history.newestP50',
  'history.deepP50',
];

/**
 * Two panels: Pychat ÷ baseline ratios (log scale, 1× marked; for deliveries/s higher is better, for
 * everything else lower is better), and send→deliver latency p50/p99 per server in the fixed-rate phase.
 */
export function renderSvg(report: Report): string {
  const rows: { label: string; vsWs: number | null; vsRedis: number | null; better: string }[] = [];
  for (const s of report.scenarios) {
    for (const r of s.ratios) {
      if (CHART_RATIOS.includes(r.metric)) {
        rows.push({
          label: `${s.scenario} ${s.backend}: ${r.metric}`,
          vsWs: r.vsWs,
          vsRedis: r.vsRedis,
          better: r.better,
        });
      }
    }
  }
  const lat: { label: string; values: { target: string; p50: number; p99: number }[] }[] = [];
  for (const s of report.scenarios) {
    const values = ORDER.map((name) => s.targets.find((t) => t.target === name))
      .filter((t) => t !== undefined && t.metrics['latency.p99'] !== undefined)
      .map((t) => ({ target: t!.label, p50: t!.metrics['latency.p50'], p99: t!.metrics['latency.p99'] }));
    if (values.length > 0) {
      lat.push({ label: `${s.scenario} ${s.backend}`, values });
    }
  }
  const width = 1000;
  const left = 330;
  const plot = width - left - 90;
  const rowH = 30;
  const top1 = 60;
  const h1 = rows.length * rowH;
  const top2 = top1 + h1 + 90;
  const latRowH = 16;
  const h2 = lat.reduce((n, g) => n + g.values.length * latRowH + 12, 0);
  const height = top2 + h2 + 40;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(
    `<text x="10" y="22" font-size="16" font-weight="bold">Pychat ÷ baseline (log scale; 1× = as good as the baseline)</text>`,
  );
  out.push(
    `<text x="10" y="42" fill="#555">blue: ÷ raw ws, orange: ÷ ws+Redis. deliveries/s: higher is better; times, CPU and memory: lower is better. ${escapeXml(report.startedAt)}</text>`,
  );
  // Ratio axis: 0.1× … 1000×.
  const lo = -1;
  const hi = 3;
  const x = (ratio: number) =>
    left + ((Math.log10(Math.min(10 ** hi, Math.max(10 ** lo, ratio))) - lo) / (hi - lo)) * plot;
  for (let e = lo; e <= hi; e++) {
    const gx = x(10 ** e);
    out.push(`<line x1="${gx}" y1="${top1 - 5}" x2="${gx}" y2="${top1 + h1}" stroke="${e === 0 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${gx}" y="${top1 + h1 + 15}" text-anchor="middle" fill="#555">${10 ** e}×</text>`);
  }
  rows.forEach((row, i) => {
    const y = top1 + i * rowH;
    out.push(`<text x="${left - 6}" y="${y + 17}" text-anchor="end">${escapeXml(row.label)}</text>`);
    const bar = (value: number | null, dy: number, color: string) => {
      if (value === null) {
        return;
      }
      const x0 = x(1);
      const x1 = x(value);
      out.push(
        `<rect x="${Math.min(x0, x1)}" y="${y + dy}" width="${Math.max(1, Math.abs(x1 - x0))}" height="11" fill="${color}"/>`,
      );
      out.push(`<text x="${Math.max(x0, x1) + 4}" y="${y + dy + 10}" font-size="10">${fmt(value)}×</text>`);
    };
    bar(row.vsWs, 3, '#3b7dd8');
    bar(row.vsRedis, 15, '#e8883a');
  });
  out.push(
    `<text x="10" y="${top2 - 30}" font-size="16" font-weight="bold">send→deliver latency in the fixed-rate phase (ms, log scale): bar = p99, tick = p50</text>`,
  );
  const lx = (ms: number) => left + ((Math.log10(Math.min(10_000, Math.max(0.1, ms))) + 1) / 5) * plot;
  for (let e = -1; e <= 4; e++) {
    const gx = lx(10 ** e);
    out.push(`<line x1="${gx}" y1="${top2 - 10}" x2="${gx}" y2="${top2 + h2}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${top2 + h2 + 15}" text-anchor="middle" fill="#555">${10 ** e}</text>`);
  }
  let y = top2;
  const colors: Record<string, string> = { 0: '#2a9d5b', 1: '#3b7dd8', 2: '#e8883a' };
  for (const group of lat) {
    group.values.forEach((v, i) => {
      const label = i === 0 ? `${group.label}: ${v.target}` : v.target;
      out.push(`<text x="${left - 6}" y="${y + 11}" text-anchor="end" font-size="11">${escapeXml(label)}</text>`);
      out.push(
        `<rect x="${lx(0.1)}" y="${y + 2}" width="${Math.max(1, lx(v.p99) - lx(0.1))}" height="11" fill="${colors[i] ?? '#888'}"/>`,
      );
      out.push(`<line x1="${lx(v.p50)}" y1="${y}" x2="${lx(v.p50)}" y2="${y + 15}" stroke="#000" stroke-width="2"/>`);
      out.push(`<text x="${lx(v.p99) + 4}" y="${y + 11}" font-size="10">${fmt(v.p99)}</text>`);
      y += latRowH;
    });
    y += 12;
  }
  out.push('</svg>');
  return out.join('\n');
}

/** The same tables as the terminal, in Markdown (for docs/performance.md). */
export function renderMarkdown(report: Report): string {
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    const load = scenario.loadAvg ? `, load average ${scenario.loadAvg[0]} → ${scenario.loadAvg[1]}` : '';
    lines.push(`### ${scenario.scenario} (${scenario.backend}${load})`, '', scenario.description, '');
    if (scenario.error) {
      lines.push(`Failed: ${scenario.error}`, '');
      continue;
    }
    const targets = ORDER.map((name) => scenario.targets.find((t) => t.target === name)).filter((t) => t !== undefined);
    lines.push(`| metric | ${targets.map((t) => t.label).join(' | ')} | ÷ ws | ÷ ws+Redis |`);
    lines.push(`| --- | ${targets.map(() => '---:').join(' | ')} | ---: | ---: |`);
    for (const [key, title] of TABLE_METRICS) {
      if (!targets.some((t) => t.metrics[key] !== undefined)) {
        continue;
      }
      const ratio = scenario.ratios.find((r) => r.metric === key);
      lines.push(
        `| ${title} | ${targets.map((t) => fmt(t.metrics[key])).join(' | ')} | ${ratio?.vsWs ? `${fmt(ratio.vsWs)}×` : ''} | ${ratio?.vsRedis ? `${fmt(ratio.vsRedis)}×` : ''} |`,
      );
    }
    lines.push('');
    for (const check of scenario.checks) {
      const mark = check.met === null ? '?' : check.met ? '✓' : '✗';
      lines.push(`- ${mark} ${check.target}: \`${check.metric}\` = ${fmt(check.value)} (${check.limit})`);
    }
    for (const target of targets) {
      for (const error of target.errors) {
        lines.push(`- ! ${target.target}: ${error.slice(0, 300)}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes `<name>.json`, `.svg` and `.md`, plus `latest.*`; returns the paths. */
export function writeReport(report: Report, outDir: string, name: string): { json: string; svg: string } {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, `${name}.json`);
  const svg = join(outDir, `${name}.svg`);
  const text = JSON.stringify(report, null, 2);
  const chart = renderSvg(report);
  writeFileSync(json, text);
  writeFileSync(svg, chart);
  writeFileSync(join(outDir, 'latest.json'), text);
  writeFileSync(join(outDir, 'latest.svg'), chart);
  const markdown = renderMarkdown(report);
  writeFileSync(join(outDir, `${name}.md`), markdown);
  writeFileSync(join(outDir, 'latest.md'), markdown);
  return { json, svg };
}
