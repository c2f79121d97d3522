// Event times must tell the truth about when work ran: the Gantt chart is drawn from them.
import { expect, test } from '@jest/globals';
import { WorkflowEngine } from '../../../extension/engine/engine';
import type { TaskEvent } from '../../../extension/engine/events';

test('synchronous in-loop tasks run back to back: each one ends before the next starts', async () => {
  const flow = await WorkflowEngine.create();
  const events: TaskEvent[] = [];
  flow.on('task', (e) => events.push(e));
  const spin = flow.functionTask(function spin(ms: number) {
    const t = performance.now();
    while (performance.now() - t < ms);
    return ms;
  });
  await Promise.all([spin(20), spin(20), spin(20)]);
  const at = (id: string, state: string) => events.find((e) => e.id === id && e.state === state)!.time;
  const ids = [...new Set(events.map((e) => e.id))];
  for (let i = 0; i + 1 < ids.length; i++) {
    expect(at(ids[i], 'DONE')).toBeLessThanOrEqual(at(ids[i + 1], 'RUNNING'));
    expect(at(ids[i], 'DONE')).toBeGreaterThan(at(ids[i], 'RUNNING'));
  }
  await flow.shutdown();
});
