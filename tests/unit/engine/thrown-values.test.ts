// Whatever a task throws, it fails exactly once, with a message that shows the value; never DONE, never an
// uncaught exception in the host (issue 17 items 3, 9, 11).
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { WorkflowEngine, type TaskEvent } from '../../../extension';
import { POOL_KINDS, poolEngine } from '../../support/engines';

// Each thrower is shipped as source (pools) or called (in-loop); `expected` is what the FAILED event shows.
const THROWERS: Array<[string, string, RegExp]> = [
  ['null', 'throw null', /^null$/],
  ['undefined', 'throw undefined', /^undefined$/],
  ['a string', 'throw "boom"', /^boom$/],
  ['a number', 'throw 42', /^42$/],
  ['a symbol', 'throw Symbol("sym")', /Symbol\(sym\)/],
  ['Object.create(null)', 'const o = Object.create(null); o.k = 1; throw o', /k: 1/],
  ['an object whose toString throws', 'throw { toString() { throw new Error("no") }, a: 2 }', /a: 2/],
  ['an Error whose message getter throws', 'const e = new Error("x"); Object.defineProperty(e, "message", { get() { throw 1 } }); throw e', /message could not be read/],
  ['an Error whose name getter throws', 'const e = new Error("named"); Object.defineProperty(e, "name", { get() { throw 1 } }); throw e', /named/],
  ['a Proxy', 'throw new Proxy({}, { get() { throw 1 } })', /Proxy/],
];

const engines: WorkflowEngine[] = [];
afterAll(() => Promise.all(engines.map((e) => e.shutdown())));

async function runAll(flow: WorkflowEngine, async: boolean): Promise<void> {
  engines.push(flow);
  const events: TaskEvent[] = [];
  flow.on('task', (e) => events.push(e));
  for (const [what, body, shown] of THROWERS) {
    const fn = new Function(async ? `return async () => { await null; ${body} }` : `return () => { ${body} }`)();
    const t = flow.functionTask(fn, { name: 'thrower' });
    const f = t();
    const outcome = await Promise.resolve(f).then(() => 'resolved', () => 'rejected');
    expect([what, outcome]).toEqual([what, 'rejected']);
    const mine = events.filter((e) => e.id === f.id && e.state !== 'PENDING' && e.state !== 'RUNNING');
    expect([what, mine.map((e) => e.state)]).toEqual([what, ['FAILED']]);
    expect([what, mine[0].error]).toEqual([what, expect.stringMatching(shown)]);
  }
}

describe('thrown values', () => {
  test.each([false, true])('in-loop (async: %s)', async (async) => runAll(await WorkflowEngine.create(), async));
  describe.each(POOL_KINDS)('%s pool', (kind) => {
    test.each([false, true])('async: %s', async (async) => runAll(await poolEngine(kind, { maxWorkers: 1 }), async));
  });

  test('library use: a host process that awaits nothing survives every thrower (no uncaught exception)', () => {
    const root = path.resolve(__dirname, '../../..');
    const script = `
      const { WorkflowEngine } = require(${JSON.stringify(root)});
      (async () => {
        const flow = await WorkflowEngine.create();
        const bodies = ${JSON.stringify(THROWERS.map((t) => t[1]))};
        for (const b of bodies) flow.functionTask(new Function('return async () => { await null; ' + b + ' }')())();
        await new Promise((r) => setTimeout(r, 100));
        const failed = flow.tasks.filter((f) => f.state === 'FAILED').length;
        await flow.shutdown();
        console.log('failed', failed);
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`failed ${THROWERS.length}`);
    expect(r.status).toBe(0);
  });
});
