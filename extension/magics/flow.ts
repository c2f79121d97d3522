import type { TaskEvent } from '../engine/events';
import { WorkflowEngine } from '../engine/engine';
import { performance } from 'node:perf_hooks';
import { gantt, LiveTable, RunResult, STREAM_ABOVE, TaskTimeline, type PlotView } from '../report';
import { flowOf, resolveBackend, SPEC_HELP, withBackends } from './backend-spec';
import type { MagicDef } from './registry';
import { engineIn, newGroup, runWorkflow } from './workflow-run';

/**
 * %%flow [--backend B] [--no-live] [--plot gantt|none]: the cell as one workflow with a live per-task table
 * (one display id, updated in place), replaced at the end by the final table and a Gantt chart (a task stream,
 * one lane per worker slot, above STREAM_ABOVE tasks). The cell's value
 * is the execute_result. Interrupt cancels the cell's tasks; --backend B is restored to the previous default after.
 */
export const flowMagic: MagicDef = {
  name: 'flow',
  help: 'Run the cell as one workflow with a live task table and a Gantt chart: %%flow [--backend B] [--engine E] [--no-live] [--plot gantt|none].',
  cellArgs: {
    max: 0,
    options: [
      { name: 'backend', short: 'b', type: 'string', help: SPEC_HELP },
      { name: 'engine', short: 'e', type: 'string', help: 'show only this engine (a variable), not every live one' },
      { name: 'trace', type: 'string', help: 'write a Chrome/Perfetto trace of the run to this file (ui.perfetto.dev opens it)' },
      { name: 'no-live', type: 'boolean', help: 'show the table only when the workflow is done' },
      { name: 'plot', type: 'string', choices: ['auto', 'gantt', 'stream', 'none'], help: `chart shown at the end (default auto: gantt up to ${STREAM_ABOVE} tasks, else stream)` },
    ],
  },
  async cell(rt, a, body) {
    const named = a.opts.engine === undefined ? undefined : engineIn(rt.ctx.scope, String(a.opts.engine), 'flow');
    const flow = named ?? flowOf(rt.ctx.scope);
    const choice = a.opts.backend === undefined ? undefined : resolveBackend(String(a.opts.backend), rt.ctx.scope);
    const group = newGroup(rt, 'flow');
    const filter = (e: TaskEvent) => e.group === group;
    const title = `%%flow [${group}]${choice ? ` on ${choice.label}` : ''}`;

    // --no-live: same timeline, but the table is created (and shown once) only at the end.
    // Time zero is the cell's start: the one wall figure runs from here to the last task settled.
    const timeline = new TaskTimeline([], { filter, origin: performance.now() });
    const events: TaskEvent[] = [];
    const record = (e: TaskEvent) => {
      if (timeline.push(e)) events.push(e);
    };
    // Every engine by default (one made in the cell runs its tasks too), or only the one named.
    const unwatch = named ? (named.on('task', record), () => named.off('task', record)) : WorkflowEngine.watch(record);
    const live = a.opts['no-live'] ? undefined : new LiveTable(rt.ctx.out, timeline, { title });
    const run = () => runWorkflow(rt, flow, group, body);
    let value: unknown;
    try {
      const result = choice ? await withBackends(flow, async (use) => (await use(choice), run())) : await run();
      value = result.value;
      return value;
    } finally {
      unwatch();
      // Kept also when the run failed or was interrupted: that is when the events matter most.
      flow.last = new RunResult('flow', title, events, timeline, value);
      if (a.opts.trace !== undefined) flow.last.saveTrace(String(a.opts.trace));
      const table = live ?? new LiveTable(rt.ctx.out, timeline, { title });
      const plot = (a.opts.plot as PlotView | 'none' | undefined) ?? 'auto';
      const what = `${title}: ${timeline.counts.total === 1 ? '1 task' : `${timeline.counts.total} tasks`}`;
      table.stopHeartbeat();
      table.finish(plot === 'none' ? undefined : await gantt(timeline, { view: plot, title: what }));
    }
  },
};
