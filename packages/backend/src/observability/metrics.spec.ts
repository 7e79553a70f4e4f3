import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory.bus';
import { Counter, gauge, Histogram, Metrics } from './metrics';

describe('Prometheus text format', () => {
  it('renders counters, gauges with escaped labels and cumulative histograms', () => {
    const counter = new Counter('x_total', 'Things.');
    counter.inc();
    counter.inc(2);
    expect(counter.render()).toBe('# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n');
    expect(gauge('g', 'G.', [{ labels: { a: 'q"\\\n' }, value: NaN }])).toBe(
      '# HELP g G.\n# TYPE g gauge\ng{a="q\\"\\\\\\n"} NaN\n',
    );
    const h = new Histogram('h_seconds', 'H.', [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    expect(h.render()).toBe(
      [
        '# HELP h_seconds H.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.1"} 1',
        'h_seconds_bucket{le="1"} 2',
        'h_seconds_bucket{le="+Inf"} 3',
        'h_seconds_sum 5.55',
        'h_seconds_count 3',
        '',
      ].join('\n'),
    );
  });
});

describe(Metrics.name, () => {
  it('times frames from publish to local delivery and reports every required family', async () => {
    const metrics = new Metrics({
      connections: () => 4,
      pingDb: async () => 0.002,
      pingRedis: async () => {
        throw new Error('down');
      },
      info: { instance: 'i1' },
    });
    const bus = metrics.instrumentBus(new MemoryBus());
    const delivered: string[] = [];
    await bus.subscribe((m) => delivered.push(m));
    await bus.publish('frame-a');
    await bus.publish('frame-a');
    metrics.messages.inc();
    expect(delivered).toEqual(['frame-a', 'frame-a']);
    expect(metrics.fanout.count).toBe(2);
    const text = await metrics.render();
    for (const line of [
      'pychat_ws_connections 4',
      'pychat_messages_total 1',
      'pychat_bus_published_total 2',
      'pychat_fanout_latency_seconds_count 2',
      'pychat_db_up 1',
      'pychat_db_ping_seconds 0.002',
      'pychat_redis_up 0',
      'pychat_redis_ping_seconds NaN',
      'pychat_info{instance="i1"} 1',
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
    expect(text).toMatch(/\nnodejs_eventloop_lag_seconds\{quantile="0.99"\} [\d.e-]+\n/);
    expect(text).toMatch(/\nprocess_resident_memory_bytes \d+\n/);
    metrics.close();
  });
});
