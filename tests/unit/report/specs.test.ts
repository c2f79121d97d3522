import { describe, expect, test } from '@jest/globals';
import { TaskTimeline, barsSpec, ganttSpec, loadVega, type VegaLiteSpec } from '../../../extension/report';
import { ev, lifecycle } from './fixtures';

/** Compiles with vega-lite and collects every warning / error it logs. */
async function compileWarnings(spec: VegaLiteSpec): Promise<string[]> {
  const { vl } = await loadVega();
  const messages: string[] = [];
  const push = (...args: unknown[]) => messages.push(args.join(' '));
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: push, warn: push, info: () => logger, debug: () => logger,
  };
  vl.compile(spec as never, { logger: logger as never });
  return messages;
}

function values(spec: VegaLiteSpec): Record<string, unknown>[] {
  return (spec.data as { values: Record<string, unknown>[] }).values;
}

describe('ganttSpec', () => {
  const events = [
    ev('b', 'PENDING', 100, { name: 'late' }),
    ev('a', 'RUNNING', 101, { name: 'dup' }),
    ev('c', 'RUNNING', 102, { name: 'dup', backend: 'threads' }),
    ev('b', 'RUNNING', 110, { name: 'late' }),
    ev('a', 'DONE', 120, { name: 'dup' }),
    ev('b', 'FAILED', 130, { name: 'late', attempt: 2 }),
  ];
  const tl = new TaskTimeline(events);

  test('orders tasks by start, keeps labels unique, closes open bars at the wall time', () => {
    const spec = ganttSpec(tl.rows, { wall: tl.wall });
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
    expect(values(spec)).toEqual([
      { task: 'dup', name: 'dup', backend: 'local', state: 'DONE', start: 1, end: 20, duration: 19, attempt: 1, order: 1, parent: null },
      { task: 'dup #2', name: 'dup', backend: 'threads', state: 'RUNNING', start: 2, end: 30, duration: 28, attempt: 1, order: null, parent: null },
      { task: 'late', name: 'late', backend: 'local', state: 'FAILED', start: 10, end: 30, duration: 20, attempt: 2, order: 2, parent: null },
    ]);
    const enc = spec.encoding as Record<string, Record<string, unknown>>;
    expect(enc.color.scale).toEqual({
      domain: ['DONE', 'FAILED', 'CANCELLED', 'RUNNING', 'PENDING'],
      range: ['#2ca02c', '#d62728', '#9e9e9e', '#1f77b4', '#c6dbef'],
    });
    expect((enc.tooltip as unknown as { field: string }[]).map((t) => t.field)).toEqual(
      expect.arrayContaining(['name', 'backend', 'duration', 'attempt']),
    );
  });

  test('is deterministic and compiles without warnings', async () => {
    expect(JSON.stringify(ganttSpec(tl.rows))).toBe(JSON.stringify(ganttSpec(new TaskTimeline(events).rows)));
    expect(await compileWarnings(ganttSpec(tl.rows))).toEqual([]);
  });

  test('hides task labels above the label cap', async () => {
    const many = new TaskTimeline(lifecycle(200)).rows;
    const spec = ganttSpec(many);
    const y = (spec.encoding as Record<string, Record<string, unknown>>).y;
    expect(y.axis).toMatchObject({ labels: false });
    expect(ganttSpec(many.slice(0, 10)).encoding).not.toMatchObject({ y: { axis: { labels: false } } });
    expect(await compileWarnings(spec)).toEqual([]);
  });
});

describe('barsSpec', () => {
  test('one case: bars per backend in first-seen order, error rules only for repeats', async () => {
    const spec = barsSpec([
      { backend: 'threads', wall: 10 },
      { backend: 'threads', wall: 14 },
      { backend: 'local', wall: 30 },
    ]);
    expect(values(spec)).toEqual([
      { case: '', backend: 'threads', runs: 2, mean: 12, std: 2.828, lo: 9.172, hi: 14.828 },
      { case: '', backend: 'local', runs: 1, mean: 30, std: 0, lo: 30, hi: 30 },
    ]);
    expect((spec.encoding as { x: { sort: string[] } }).x.sort).toEqual(['threads', 'local']);
    expect(spec.layer).toHaveLength(2);
    expect(await compileWarnings(spec)).toEqual([]);
  });

  test('several cases: grouped by case with a backend offset; no rules without repeats', async () => {
    const spec = barsSpec([
      { case: 'small', backend: 'local', wall: 1 },
      { case: 'small', backend: 'threads', wall: 2 },
      { case: 'big', backend: 'local', wall: 10 },
      { case: 'big', backend: 'threads', wall: 5 },
    ]);
    expect(spec.encoding).toMatchObject({ x: { field: 'case', sort: ['small', 'big'] }, xOffset: { field: 'backend' } });
    expect(spec.layer).toHaveLength(1);
    expect(await compileWarnings(spec)).toEqual([]);
  });
});
