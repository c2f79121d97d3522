import { describe, expect, test } from '@jest/globals';
import { TaskTimeline } from '../../../extension/report';
import { ev, lifecycle } from './fixtures';

describe('TaskTimeline', () => {
  test('folds states into rows with times relative to the first event', () => {
    const tl = new TaskTimeline([
      ev('a', 'PENDING', 500),
      ev('b', 'PENDING', 501, { backend: 'threads' }),
      ev('a', 'RUNNING', 505),
      ev('b', 'RUNNING', 510, { backend: 'threads' }),
      ev('b', 'DONE', 520, { backend: 'threads' }),
      ev('a', 'FAILED', 530, { error: 'boom' }),
    ]);
    expect(tl.origin).toBe(500);
    const [a, b] = tl.tasks;
    expect(a).toMatchObject({ id: 'a', state: 'FAILED', created: 0, start: 5, end: 30, duration: 25, error: 'boom', order: 2, index: 1 });
    expect(b).toMatchObject({ id: 'b', backend: 'threads', state: 'DONE', start: 10, end: 20, duration: 10, order: 1, index: 2 });
    expect(tl.counts).toEqual({ total: 2, pending: 0, running: 0, done: 1, failed: 1, cancelled: 0 });
    expect(tl.wall).toBe(30);
  });

  test('running counts follow every transition', () => {
    const tl = new TaskTimeline();
    tl.push(ev('a', 'PENDING', 0));
    tl.push(ev('b', 'PENDING', 0));
    expect(tl.counts.pending).toBe(2);
    tl.push(ev('a', 'RUNNING', 1));
    expect(tl.counts).toMatchObject({ pending: 1, running: 1 });
    tl.push(ev('b', 'CANCELLED', 2, { error: 'cancelled' }));
    tl.push(ev('a', 'DONE', 3));
    expect(tl.counts).toEqual({ total: 2, pending: 0, running: 0, done: 1, failed: 0, cancelled: 1 });
    // cancelled before running: no start, no duration, a reason and its settle time
    expect(tl.get('b')).toMatchObject({ end: 2, order: 1, reason: 'cancelled before it started' });
    expect(tl.get('b')!.duration).toBeUndefined();
    expect(tl.get('b')!.start).toBeUndefined();
  });

  test('retries keep the first start and count attempts', () => {
    const tl = new TaskTimeline([
      ev('r', 'PENDING', 0),
      ev('r', 'RUNNING', 1),
      ev('r', 'RUNNING', 5, { attempt: 2 }),
      ev('r', 'RUNNING', 9, { attempt: 3 }),
      ev('r', 'DONE', 12, { attempt: 3 }),
    ]);
    expect(tl.get('r')).toMatchObject({ attempts: 3, start: 1, end: 12, duration: 11, state: 'DONE', order: 1 });
    expect(tl.counts).toMatchObject({ total: 1, done: 1, running: 0 });
  });

  test('completion order is the order of final states, not of creation', () => {
    const tl = new TaskTimeline();
    for (const id of ['x', 'y', 'z']) tl.push(ev(id, 'RUNNING', 0));
    for (const [i, id] of ['z', 'x', 'y'].entries()) tl.push(ev(id, 'DONE', 10 + i));
    expect(tl.tasks.map((r) => [r.id, r.order])).toEqual([['x', 2], ['y', 3], ['z', 1]]);
  });

  test('blocks are kept apart from tasks and summarised with their children', () => {
    const tl = new TaskTimeline([
      ev('w1', 'RUNNING', 100, { kind: 'block', name: 'workflow-1', backend: 'block' }),
      ev('t1', 'RUNNING', 101, { parent: 'w1' }),
      ev('t2', 'RUNNING', 102, { parent: 'w1' }),
      ev('t3', 'RUNNING', 103, { parent: 'ghost' }),
      ev('t1', 'DONE', 110, { parent: 'w1' }),
      ev('t2', 'FAILED', 111, { parent: 'w1' }),
      ev('t3', 'DONE', 140, { parent: 'ghost' }),
      ev('w1', 'FAILED', 112, { kind: 'block', name: 'workflow-1', backend: 'block' }),
    ]);
    expect(tl.tasks).toHaveLength(3);
    expect(tl.blockRows).toHaveLength(1);
    expect(tl.counts.total).toBe(3);
    expect(tl.blocks()).toEqual([
      { id: 'w1', name: 'workflow-1', state: 'FAILED', start: 0, end: 12, duration: 12, tasks: 2, done: 1, failed: 1 },
      { id: 'ghost', name: 'ghost', start: 3, end: 40, duration: 37, tasks: 1, done: 1, failed: 0 },
    ]);
    // Completion order numbers tasks only: the block finishing between them takes no number.
    expect([tl.get('t1')?.order, tl.get('t2')?.order, tl.get('t3')?.order, tl.get('w1')?.order]).toEqual([1, 2, 3, undefined]);
  });

  test('a parent named only by a later event is counted once', () => {
    const tl = new TaskTimeline([
      ev('t', 'PENDING', 0),
      ev('t', 'RUNNING', 1, { parent: 'p' }),
      ev('t', 'DONE', 2, { parent: 'p' }),
    ]);
    expect(tl.blocks()).toEqual([{ id: 'p', name: 'p', start: 1, end: 2, duration: 1, tasks: 1, done: 1, failed: 0 }]);
  });

  test('filter keeps one group only', () => {
    const tl = new TaskTimeline([ev('a', 'RUNNING', 0, { group: 'c1' }), ev('b', 'RUNNING', 1, { group: 'c2' })], {
      filter: (e) => e.group === 'c2',
    });
    expect(tl.tasks.map((r) => r.id)).toEqual(['b']);
    expect(tl.origin).toBe(1);
  });

  test('subscribers see every accepted event and 20k tasks fold consistently', () => {
    const tl = new TaskTimeline();
    let seen = 0;
    const off = tl.subscribe(() => seen++);
    const events = lifecycle(20_000);
    for (const e of events) tl.push(e);
    off();
    tl.push(ev('late', 'PENDING', 0));
    expect(seen).toBe(events.length);
    expect(tl.counts).toMatchObject({ total: 20_001, done: 20_000, pending: 1 });
    expect(tl.tasks[19_999].order).toBe(20_000);
    expect(tl.version).toBe(events.length + 1);
  });
});
