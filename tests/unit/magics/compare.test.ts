import { afterEach, describe, expect, test } from '@jest/globals';
import { WorkflowEngine } from '../../../extension';
import { VEGALITE_MIME } from '../../../extension/report';
import { harness } from './helpers';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

const BODY = 'const sq = flow.functionTask((x: number) => x * x, { name: "sq" })\nawait Promise.all([1, 2, 3].map((x) => sq(x)))';

describe('%%compare', () => {
  test('async vs threads: one live table, a bar chart, a summary with speed-up; backend restored', async () => {
    flow = await WorkflowEngine.create();
    const before = flow.backend;
    const h = harness({ flow });
    const seen: string[] = [];
    flow.on('task', (e) => e.state === 'DONE' && seen.push(e.backend));
    const v = await h.cell(`%%compare async threads:2 --repeat 2\n${BODY}`);
    expect(v).toBeUndefined();
    // Fresh futures per run: 2 backends x 2 runs x 3 tasks.
    expect(seen.filter((b) => b === 'async')).toHaveLength(6);
    expect(seen.filter((b) => b === 'threads')).toHaveLength(6);
    expect(flow.backend).toBe(before);

    const displays = h.sink.of('display');
    expect(displays).toHaveLength(3);
    const [table, chart, summary] = displays;
    expect(table.id).toBeDefined();
    expect(h.sink.of('update').every((u) => u.id === table.id)).toBe(true);
    expect(String(h.sink.of('update').pop()!.bundle!['text/plain'])).toMatch(/12 tasks/);
    const spec = chart.bundle![VEGALITE_MIME] as { data: { values: { backend: string; runs: number }[] } };
    expect(JSON.stringify(spec)).toMatch(/"backend":"async"[\s\S]*"backend":"threads:2"/);
    expect(String(chart.bundle!['image/svg+xml'])).toMatch(/^<svg/);
    expect(chart.bundle!['text/plain']).toMatch(/n=2\)/);
    const text = String(summary.bundle!['text/plain']);
    expect(text).toMatch(/speed-up/);
    expect(text).toMatch(/async\s+2\s+[\d.]+ ms[\s\S]*1\.00x/);
    expect(text).toMatch(/threads:2\s+2\s/);
  });

  test('--engine E compares on that engine and shows only its tasks', async () => {
    flow = await WorkflowEngine.create();
    const other = await WorkflowEngine.create();
    const h = harness({ flow, other });
    const seen: string[] = [];
    other.on('task', (e) => e.state === 'DONE' && seen.push(e.backend));
    try {
      await h.cell('%%compare async threads:2 --engine other\nconst t = other.functionTask((x: number) => x, { name: "there" })\n' +
        'const u = flow.functionTask(() => 0, { name: "here" })\nawait Promise.all([t(1), t(2), u()])');
      expect(seen).toEqual(['async', 'async', 'threads', 'threads']);
      const table = String(h.sink.of('update').pop()!.bundle!['text/plain']);
      expect(table).toMatch(/4 tasks/);
      expect(table).toMatch(/there/);
      expect(table).not.toMatch(/\bhere\b/);
      await expect(h.cell('%%compare async --engine nope\n1')).rejects.toThrow("%%compare --engine: 'nope' is not a WorkflowEngine in scope");
    } finally {
      await other.shutdown();
    }
  });

  test('same number and kinds of outputs on every run (stable notebook diffs)', async () => {
    flow = await WorkflowEngine.create();
    const shape = async () => {
      const h = harness({ flow });
      await h.cell(`%%compare async local\n${BODY}`);
      return h.sink.calls.filter((c) => c.kind === 'display').map((c) => Object.keys(c.bundle!).sort().join(','));
    };
    const a = await shape();
    expect(a).toHaveLength(3);
    expect(await shape()).toEqual(a);
  });

  test('an unknown backend fails before anything runs', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    await expect(h.cell(`%%compare async nope\n${BODY}`)).rejects.toThrow(/unknown backend 'nope'/);
    await expect(h.cell(`%%compare\n${BODY}`)).rejects.toThrow(/at least 1 argument/);
    await expect(h.cell(`%%compare async --repeat 0\n${BODY}`)).rejects.toThrow(/--repeat must be >= 1/);
    expect(flow.tasks).toHaveLength(0);
  });

  test('B? is skipped with a note when it cannot start; without ? the cell fails', async () => {
    flow = await WorkflowEngine.create();
    const broken = {
      name: 'broken',
      init: async () => { throw new Error('no cluster here'); },
      submit: async () => undefined,
      cancel: () => false,
      shutdown: async () => undefined,
    };
    const h = harness({ flow, broken });
    await h.cell(`%%compare async broken?\n${BODY}`);
    expect(h.sink.err).toMatch(/skipping broken: .*no cluster here/);
    expect(h.sink.of('display')).toHaveLength(3);
    expect(String(h.sink.of('display')[2].bundle!['text/plain'])).not.toMatch(/broken/);
    await expect(h.cell(`%%compare async broken\n${BODY}`)).rejects.toThrow(/no cluster here/);
  });
});
