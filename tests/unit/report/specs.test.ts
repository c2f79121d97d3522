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
  // vega-lite 6 says this for every layered width:'container' spec with a row step; the chart is as intended.
  return messages.filter((m) => m !== 'Dropping "fit-y" because spec has discrete height.');
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

  test('labels match the table (name#index), bars only for tasks that ran, open bars end at the wall', () => {
    const spec = ganttSpec(tl.rows, { wall: tl.wall });
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
    expect(spec.width).toBe('container');
    const v = values(spec) as Array<Record<string, unknown>>;
    expect(v.map((x) => [x.label, x.state, x.start, x.end, x.started])).toEqual([
      ['dup#2', 'DONE', 1, 20, true],
      ['dup#3', 'RUNNING', 2, 30, true],
      ['late#1', 'FAILED', 10, 30, true],
    ]);
    const bar = (spec.layer as Array<Record<string, any>>)[0];
    expect(bar.encoding.color.scale).toEqual({
      domain: ['DONE', 'FAILED', 'CANCELLED', 'RUNNING', 'PENDING'],
      range: ['#009E73', '#D55E00', '#999999', '#0072B2', '#56B4E9'],
    });
    expect(bar.encoding.tooltip.map((t: { field: string }) => t.field)).toEqual(
      ['label', 'state', 'startText', 'endText', 'duration', 'backend', 'worker', 'error'],
    );
  });

  test('is deterministic and compiles without warnings', async () => {
    expect(JSON.stringify(ganttSpec(tl.rows))).toBe(JSON.stringify(ganttSpec(new TaskTimeline(events).rows)));
    expect(await compileWarnings(ganttSpec(tl.rows))).toEqual([]);
  });

  test('hides task labels above the label cap', async () => {
    const many = new TaskTimeline(lifecycle(200)).rows;
    const spec = ganttSpec(many);
    const yOf = (sp: Record<string, unknown>) => (sp.layer as Array<Record<string, any>>)[0].encoding.y;
    expect(yOf(spec).axis).toMatchObject({ labels: false });
    expect(yOf(ganttSpec(many.slice(0, 10))).axis).not.toMatchObject({ labels: false });
    expect(await compileWarnings(spec)).toEqual([]);
  });
});

describe('barsSpec', () => {
  test('one case: bars per backend in first-seen order, min–max whiskers (never below zero) and n', async () => {
    const spec = barsSpec([
      { backend: 'threads', wall: 10 },
      { backend: 'threads', wall: 14 },
      { backend: 'local', wall: 30 },
    ]);
    expect(values(spec)).toEqual([
      { case: '', backend: 'threads', runs: 2, mean: 12, std: 2.828, min: 10, max: 14, n: 'n=2' },
      { case: '', backend: 'local', runs: 1, mean: 30, std: 0, min: 30, max: 30, n: 'n=1' },
    ]);
    expect((spec.encoding as { x: { sort: string[] } }).x.sort).toEqual(['threads', 'local']);
    const rule = (spec.layer as Array<Record<string, any>>)[1];
    expect(rule.encoding).toEqual({ y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } });
    expect(rule.transform).toEqual([{ filter: 'datum.runs > 1' }]);
    expect(await compileWarnings(spec)).toEqual([]);
  });

  test('several cases: grouped by case with a backend offset', async () => {
    const spec = barsSpec([
      { case: 'small', backend: 'local', wall: 1 },
      { case: 'small', backend: 'threads', wall: 2 },
      { case: 'big', backend: 'local', wall: 10 },
      { case: 'big', backend: 'threads', wall: 5 },
    ]);
    expect(spec.encoding).toMatchObject({ x: { field: 'case', sort: ['small', 'big'] }, xOffset: { field: 'backend' } });
    expect(await compileWarnings(spec)).toEqual([]);
  });
});
