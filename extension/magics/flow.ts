import type { TaskEvent } from '../engine/events';
import { WorkflowEngine } from '../engine/engine';
import { UsageError } from './types';
import { gantt, LiveTable, TaskTimeline } from '../report';
import { flowOf, resolveBackend, SPEC_HELP, withBackends } from './backend-spec';
import type { MagicDef } from './registry';
import { newGroup, runWorkflow } from './workflow-run';

/**
 * %%flow [--backend B] [--no-live] [--plot gantt|none]: the cell as one workflow with a live per-task table
 * (one display id, updated in place), replaced at the end by the final table and a Gantt chart. The cell's value
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
      { name: 'no-live', type: 'boolean', help: 'show the table only when the workflow is done' },
      { name: 'plot', type: 'string', choices: ['gantt', 'none'], help: 'chart shown at the end (default gantt)' },
    ],
  },
  async cell(rt, a, body) {
    const named = a.opts.engine === undefined ? undefined : engineIn(rt.ctx.scope, String(a.opts.engine));
    const flow = named ?? flowOf(rt.ctx.scope);
    const choice = a.opts.backend === undefined ? undefined : resolveBackend(String(a.opts.backend), rt.ctx.scope);
    const group = newGroup(rt, 'flow');
    const filter = (e: TaskEvent) => e.group === group;
    const title = `%%flow [${group}]${choice ? ` on ${choice.label}` : ''}`;

    // --no-live: same timeline, but the table is created (and shown once) only at the end.
    const timeline = new TaskTimeline([], { filter });
    // Every engine by default (one made in the cell runs its tasks too), or only the one named.
    const unwatch = named ? (named.on('task', timeline.listener), () => named.off('task', timeline.listener)) : WorkflowEngine.watch(timeline.listener);
    const live = a.opts['no-live'] ? undefined : new LiveTable(rt.ctx.out, timeline, { title });
    const run = () => runWorkflow(rt, flow, group, body);
    try {
      const result = choice ? await withBackends(flow, async (use) => (await use(choice), run())) : await run();
      return result.value;
    } finally {
      unwatch();
      const table = live ?? new LiveTable(rt.ctx.out, timeline, { title });
      table.finish(a.opts.plot === 'none' ? undefined : await gantt(timeline));
    }
  },
};

function engineIn(scope: Record<string, unknown>, name: string): WorkflowEngine {
  const e = scope[name];
  if (!(e instanceof WorkflowEngine)) throw new UsageError(`%%flow --engine: '${name}' is not a WorkflowEngine in scope`);
  return e;
}
