import type { TaskEvent } from '../engine/events';
import { WorkflowEngine } from '../engine/engine';
import { performance } from 'node:perf_hooks';
import { bars, LiveTable, RunResult, summaryTable, TaskTimeline, type RunSample } from '../report';
import { flowOf, resolveBackend, SPEC_HELP, withBackends } from './backend-spec';
import type { MagicDef } from './registry';
import { UsageError } from './types';
import { engineIn, newGroup, runWorkflow } from './workflow-run';
import { errorMessage } from '../engine/realm';

/**
 * %%compare A B [C…] [--repeat R] [--engine E]: the same cell once per backend (R times each; the body is re-evaluated, so
 * every run makes fresh futures), one live table for all runs, then a bar chart of wall time per backend
 * (error bars when R > 1) and a summary table with the speed-up versus the first backend.
 * Always exactly three displays (table, chart, summary) so notebook diffs stay stable. `B?` marks a backend
 * as optional: skipped (with a note on stderr) when it cannot start, e.g. `slurm?` on a laptop. The backends
 * are set on `flow`, or on engine E, whose tasks alone are then shown; else every live engine's tasks are.
 */
export const compare: MagicDef = {
  name: 'compare',
  help: `Run the cell on several backends and compare wall times: %%compare A B [C…] [--repeat R] [--engine E] (A, B: ${SPEC_HELP}).`,
  cellArgs: {
    min: 1,
    usage: 'A B[?] [C…] [--repeat R] [--engine E]',
    options: [
      { name: 'repeat', short: 'r', type: 'int', help: 'runs per backend (default 1)' },
      { name: 'engine', short: 'e', type: 'string', help: 'compare on this engine (a variable) and show only its tasks' },
    ],
  },
  async cell(rt, a, body) {
    const repeat = (a.opts.repeat as number | undefined) ?? 1;
    if (repeat < 1) throw new UsageError('%compare: --repeat must be >= 1');
    const named = a.opts.engine === undefined ? undefined : engineIn(rt.ctx.scope, String(a.opts.engine), 'compare');
    const flow = named ?? flowOf(rt.ctx.scope);
    // Resolve every spec first: a typo fails before anything runs.
    const specs = a.positional.map((spec) => ({ spec: spec.replace(/\?$/, ''), optional: spec.endsWith('?') }));
    const choices = specs.map(({ spec }) => resolveBackend(spec, rt.ctx.scope));
    const prefix = newGroup(rt, 'compare');
    const groups = new Set<string>();
    const filter = (e: TaskEvent) => e.group !== undefined && groups.has(e.group);
    const timeline = new TaskTimeline([], { filter, origin: performance.now() });
    const events: TaskEvent[] = [];
    const record = (e: TaskEvent) => {
      if (timeline.push(e)) events.push(e);
    };
    // Every engine (one the cell creates runs its tasks too), or only the one named.
    const unwatch = named ? (named.on('task', record), () => named.off('task', record)) : WorkflowEngine.watch(record);
    const title = `%%compare ${choices.map((c) => c.label).join(' vs ')}`;
    const table = new LiveTable(rt.ctx.out, timeline, { title });
    const samples: RunSample[] = [];
    try {
      await withBackends(flow, async (use) => {
        for (const [i, choice] of choices.entries()) {
          // `slurm?`: a backend that cannot start here is skipped with a note instead of failing the cell.
          const started = await use(choice).then(
            () => true,
            (err) => {
              if (!specs[i].optional) throw err;
              rt.ctx.out.stderr(`%%compare: skipping ${choice.label}: ${errorMessage(err)}\n`);
              return false;
            },
          );
          if (!started) continue;
          for (let r = 1; r <= repeat; r++) {
            const group = `${prefix}-${i + 1}.${r}`;
            groups.add(group);
            const { wall } = await runWorkflow(rt, flow, group, body);
            samples.push({ backend: choice.label, wall });
          }
        }
      });
    } catch (err) {
      table.finish();
      throw err;
    } finally {
      unwatch();
      flow.last = new RunResult('compare', title, events, timeline, undefined, samples);
    }
    const n = repeat === 1 ? 'n=1 per backend' : `whiskers min–max, n=${repeat} per backend`;
    table.stopHeartbeat();
    table.finish(await bars(samples, { title: `mean wall time per backend (${n})` }));
    rt.ctx.out.display(summaryTable(samples, { title: `speed-up vs ${choices[0].label}` }));
    return undefined;
  },
};
