// What the display must get right (issue 13): never-started tasks, one wall, held event loop, lanes, PNG.
import { describe, expect, test } from '@jest/globals';
import { PNG } from 'pngjs';
import { LiveTable, TaskTimeline, assignLanes, ganttSpec, plot, renderTable, streamSpec } from '../../../extension/report';
import { ManualClock, RecordingSink, ev } from './fixtures';

describe('tasks that never started', () => {
  const events = [
    ev('L', 'PENDING', 100, { name: 'load' }),
    ev('L', 'RUNNING', 101, { name: 'load' }),
    ev('S', 'PENDING', 102, { name: 'stage' }),
    ev('L', 'FAILED', 150, { name: 'load', error: 'boom\n    at Worker.emit (node:events:524:28)' }),
    ev('S', 'FAILED', 151, { name: 'stage', dependency: 'L', error: "task 'stage' cannot run" }),
    ev('Q', 'PENDING', 103, { name: 'queued' }),
    ev('Q', 'CANCELLED', 160, { name: 'queued', error: 'cancelled' }),
  ];
  const tl = new TaskTimeline(events, { origin: 90 });

  test('have no start and no duration, settle at their time, and say why', () => {
    expect(tl.get('S')).toMatchObject({ end: 61, reason: 'dependency `load#1` failed' });
    expect(tl.get('S')!.start).toBeUndefined();
    expect(tl.get('S')!.duration).toBeUndefined();
    expect(tl.get('Q')!.reason).toBe('cancelled before it started');
    const plain = String(renderTable(tl, { final: true })['text/plain']);
    expect(plain).toContain('dependency `load#1` failed');
    expect(plain).not.toContain('node:events');
  });

  test('are markers in the charts, not bars', () => {
    for (const spec of [ganttSpec(tl.rows, { wall: tl.wall }), streamSpec(tl.rows, { wall: tl.wall })]) {
      const v = (spec.data as { values: Array<Record<string, unknown>> }).values;
      const stage = v.find((x) => x.name === 'stage')!;
      expect(stage).toMatchObject({ started: false, start: 61, end: 61, marker: 'never started' });
      const layers = spec.layer as Array<{ transform: Array<{ filter: string }> }>;
      expect(layers[0].transform[0].filter).toBe('datum.started');
    }
  });

  test('one wall: from the origin (cell start) to the last settle; first start shown apart', () => {
    expect(tl.wall).toBe(70);
    expect(tl.firstStart).toBe(11);
    expect(String(renderTable(tl, { final: true })['text/plain'])).toContain('wall 70.0 ms (first task started at 11.0 ms)');
  });
});

describe('held event loop', () => {
  test('the first update after the hold names the in-loop task and how long it held the loop', () => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const tl = new TaskTimeline([], { origin: 0 });
    const table = new LiveTable(sink, tl, { clock });
    clock.advance(100); // a heartbeat on time: no note
    tl.push(ev('4', 'RUNNING', 150, { name: 'stage' }));
    // the task spins for 2 s: no timer can fire, then the loop is free again
    clock.t += 2000;
    tl.push(ev('4', 'DONE', 2150, { name: 'stage' }));
    clock.advance(1);
    const notes = sink.calls.map((c) => String(c.bundle?.['text/plain'])).filter((t) => t.includes('event loop busy'));
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(notes[0]).toMatch(/event loop busy in `stage#1` for 19\d\d\.\d ms/);
    table.finish();
    expect(String(sink.last()['text/plain'])).toMatch(/event loop busy in `stage#1`/);
  });

  test('no note while the heartbeat keeps time', () => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const tl = new TaskTimeline([], { origin: 0 });
    const table = new LiveTable(sink, tl, { clock });
    for (let i = 0; i < 20; i++) tl.push(ev(String(i), 'RUNNING', i * 50)), clock.advance(50);
    table.finish();
    expect(sink.calls.some((c) => String(c.bundle?.['text/plain']).includes('event loop busy'))).toBe(false);
  });
});

describe('task stream lanes', () => {
  test('come from the reported slot, else greedily from intervals', () => {
    const withSlots = new TaskTimeline([
      ev('a', 'RUNNING', 0, { slot: { worker: 1 } }), ev('b', 'RUNNING', 0, { slot: { worker: 0 } }),
      ev('c', 'RUNNING', 5, { slot: { worker: 1 } }), ev('a', 'DONE', 4), ev('b', 'DONE', 9), ev('c', 'DONE', 9),
    ]);
    expect(assignLanes(withSlots.rows, 9).map((l) => [l.name, l.rows.map((r) => r.id)])).toEqual([
      ['worker 0', ['b']], ['worker 1', ['a', 'c']],
    ]);
    const greedy = new TaskTimeline([
      ev('a', 'RUNNING', 0), ev('b', 'RUNNING', 1), ev('a', 'DONE', 3), ev('c', 'RUNNING', 4), ev('b', 'DONE', 9), ev('c', 'DONE', 9),
    ]);
    expect(assignLanes(greedy.rows, 9).map((l) => l.rows.map((r) => r.id))).toEqual([['a', 'c'], ['b']]);
  });
});

describe('PNG', () => {
  test('every chart bundle carries a PNG with drawn pixels; "1 task" in the summary', async () => {
    const b = await plot.gantt([ev('x', 'RUNNING', 0, { name: 'only' }), ev('x', 'FAILED', 10, { name: 'only' })], { title: 'one' });
    expect(String(b['text/plain'])).toMatch(/^Gantt: 1 task, /);
    const png = PNG.sync.read(Buffer.from(String(b['image/png']), 'base64'));
    expect(png.width).toBeGreaterThan(300);
    let coloured = 0; // the failed bar's vermillion
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 180 && png.data[i + 1] < 120 && png.data[i + 2] < 60) coloured++;
    expect(coloured).toBeGreaterThan(500);
  });
});
