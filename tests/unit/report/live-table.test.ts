import { describe, expect, test } from '@jest/globals';
import { LiveTable, TaskTimeline, renderTable } from '../../../extension/report';
import type { TaskEvent } from '../../../extension/engine/events';
import { ManualClock, RecordingSink, ev, lifecycle } from './fixtures';

function setup(opts: { maxRows?: number } = {}) {
  const sink = new RecordingSink();
  const clock = new ManualClock();
  const tl = new TaskTimeline();
  const table = new LiveTable(sink, tl, { clock, ...opts });
  return { sink, clock, tl, table };
}

describe('LiveTable', () => {
  test('a burst of 1,000 events gives one display, at most a few updates, and a final flush with every task', () => {
    const { sink, clock, tl, table } = setup({ maxRows: 2000 });
    const events = lifecycle(334); // 1,002 events
    for (const e of events) tl.push(e); // no time passes: a synchronous burst
    expect(sink.calls.filter((c) => c.kind === 'display')).toHaveLength(1); // leading edge
    expect(clock.pending).toBe(2); // one trailing refresh, however many events, and the loop heartbeat
    clock.advance(100);
    table.close();
    expect(sink.calls.length).toBeLessThanOrEqual(3);
    expect(sink.calls.every((c) => c.id === table.id)).toBe(true);
    expect(table.id).toMatch(/^flowbook-/);
    const plain = String(sink.last()['text/plain']);
    expect(plain).toContain('334 tasks');
    expect(plain).toContain('334 done');
    for (const id of ['0', '167', '333']) expect(plain).toContain(`task-${id} `);
  });

  test('throttles to one refresh per interval while events keep coming', () => {
    const { sink, clock, tl, table } = setup();
    // 10 events per ms for 1 s of fake time
    let i = 0;
    for (let ms = 0; ms < 1000; ms++) {
      for (let k = 0; k < 10; k++) tl.push(ev(String(i++), 'RUNNING', ms));
      clock.advance(1);
    }
    table.close();
    // ≤ 10 refreshes per second of fake time, plus the leading display and the final flush
    expect(sink.calls.length).toBeGreaterThanOrEqual(5);
    expect(sink.calls.length).toBeLessThanOrEqual(12);
    expect(String(sink.last()['text/plain'])).toContain('10,000 tasks');
  });

  test('the trailing refresh shows the latest state and close() adds nothing when already current', () => {
    const { sink, clock, tl, table } = setup();
    tl.push(ev('a', 'RUNNING', 0));
    tl.push(ev('a', 'DONE', 5));
    expect(sink.calls).toHaveLength(1);
    clock.advance(100);
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1]).toMatchObject({ kind: 'update', id: table.id });
    expect(String(sink.last()['text/plain'])).toContain('1 done');
    table.close();
    expect(sink.calls).toHaveLength(2);
    tl.push(ev('b', 'RUNNING', 6)); // after close: ignored
    clock.advance(1000);
    expect(sink.calls).toHaveLength(2);
  });

  test('close() with no events still shows an (empty) table', () => {
    const { sink, table } = setup();
    table.close();
    expect(sink.calls).toEqual([expect.objectContaining({ kind: 'display', id: table.id })]);
    expect(String(sink.last()['text/plain'])).toContain('0 tasks');
  });

  test('finish() replaces the table with the final one and appends the plot', () => {
    const { sink, tl, table } = setup();
    tl.push(ev('a', 'RUNNING', 0));
    tl.push(ev('a', 'DONE', 3));
    table.finish({ 'text/plain': 'PLOT' });
    const [, final, plot] = sink.calls;
    expect(final).toMatchObject({ kind: 'update', id: table.id });
    expect(String(final.bundle!['text/plain'])).toContain('wall 3.0 ms');
    expect(plot).toEqual({ kind: 'display', id: undefined, bundle: { 'text/plain': 'PLOT' } });
  });

  test('follow() subscribes to a task source and detaches on close', () => {
    const listeners = new Set<(e: TaskEvent) => void>();
    const source = {
      on: (_: 'task', l: (e: TaskEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
    };
    const sink = new RecordingSink();
    const table = LiveTable.follow(source, sink, { clock: new ManualClock(), filter: (e) => e.group === 'g' });
    for (const l of listeners) l(ev('a', 'RUNNING', 0, { group: 'g' }));
    for (const l of listeners) l(ev('b', 'RUNNING', 0, { group: 'other' }));
    table.close();
    expect(listeners.size).toBe(0);
    expect(table.timeline.tasks.map((r) => r.id)).toEqual(['a']);
  });
});

describe('renderTable', () => {
  test('huge runs show the summary plus first/last rows and how many are hidden', () => {
    const tl = new TaskTimeline(lifecycle(10_000));
    tl.push(ev('f', 'FAILED', 20_000, { name: '<evil>', error: 'x<y' }));
    const b = renderTable(tl, { maxRows: 5 });
    const plain = String(b['text/plain']);
    const html = String(b['text/html']);
    expect(plain).toContain('10,001 tasks');
    expect(plain).toContain('9,991 tasks hidden');
    expect(plain).toContain('task-0 ');
    expect(plain).not.toContain('task-5000 ');
    expect(plain.split('\n').length).toBeLessThan(20);
    expect(html).toContain('9,991 tasks hidden');
    expect(html).toContain('&lt;evil&gt;');
    expect(html).not.toContain('<evil>');
    expect(html).toContain('#D55E00'); // FAILED colour
  });

  test('plain text columns are aligned', () => {
    const tl = new TaskTimeline([ev('1', 'RUNNING', 0, { name: 'short' }), ev('2', 'RUNNING', 1, { name: 'a-much-longer-name' })]);
    const lines = String(renderTable(tl)['text/plain']).split('\n').slice(1);
    const col = (line: string) => line.indexOf('local');
    expect(col(lines[2])).toBeGreaterThan(0);
    expect(col(lines[2])).toBe(col(lines[3]));
  });

  test('workflows are listed with start and finish', () => {
    const tl = new TaskTimeline([
      ev('w', 'RUNNING', 0, { kind: 'block', name: 'wf-A', backend: 'block' }),
      ev('t', 'RUNNING', 1, { parent: 'w' }),
      ev('t', 'DONE', 4, { parent: 'w' }),
      ev('w', 'DONE', 6, { kind: 'block', name: 'wf-A', backend: 'block' }),
    ]);
    const plain = String(renderTable(tl)['text/plain']);
    expect(plain).toContain('Workflows');
    expect(plain).toMatch(/wf-A\s+DONE\s+0\.0 ms\s+6\.0 ms\s+6\.0 ms\s+1\s+1\s+0/);
  });
});
