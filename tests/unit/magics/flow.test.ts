import { afterEach, describe, expect, test } from '@jest/globals';
import { TaskEvent, WorkflowEngine } from '../../../extension';
import { VEGALITE_MIME } from '../../../extension/report';
import { harness } from './helpers';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

const BODY = [
  'const sq = flow.functionTask(async (x: number) => x * x, { name: "sq" })',
  'const add = flow.functionTask((a: number, b: number) => a + b, { name: "add" })',
  'await add(sq(3), sq(4))',
].join('\n');

describe('%%flow', () => {
  test('one display id, live updates, final table and a gantt bundle; the value is the result', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    const v = await h.cell(`%%flow\n${BODY}`);
    expect(v).toBe(25);
    const displays = h.sink.of('display');
    const updates = h.sink.of('update');
    expect(displays).toHaveLength(2); // the table (with an id) and the gantt chart
    const [table, chart] = displays;
    expect(table.id).toBeDefined();
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.every((u) => u.id === table.id)).toBe(true);
    const final = updates[updates.length - 1].bundle!;
    expect(String(final['text/plain'])).toMatch(/3 tasks/);
    expect(String(final['text/plain'])).toMatch(/sq[\s\S]*sq[\s\S]*add/);
    expect(chart.id).toBeUndefined();
    expect(chart.bundle![VEGALITE_MIME]).toBeDefined();
    expect(String(chart.bundle!['image/svg+xml'])).toMatch(/^<svg/);
    // Output order: table first, chart after its last update.
    expect(h.sink.calls.indexOf(chart)).toBeGreaterThan(h.sink.calls.indexOf(updates[updates.length - 1]));
  });

  test('tasks carry a fresh group per run; --no-live shows one final table; --plot none skips the chart', async () => {
    flow = await WorkflowEngine.create();
    const groups = new Set<string | undefined>();
    flow.on('task', (e) => groups.add(e.group));
    const h = harness({ flow });
    await h.cell(`%%flow --no-live --plot none\n${BODY}`);
    await h.cell(`%%flow --no-live --plot none\n${BODY}`);
    expect(groups.size).toBe(2);
    expect([...groups].every((g) => /^flow-\d+-\d+$/.test(g!))).toBe(true);
    expect(h.sink.of('update')).toHaveLength(0);
    expect(h.sink.of('display')).toHaveLength(2);
  });

  test('tasks the body did not await are waited for, and only this cell\'s tasks are shown', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    const outside = flow.functionTask(() => 1, { name: 'outside' });
    await outside();
    await h.cell('%%flow --plot none\nconst t = flow.functionTask(() => new Promise((r) => setTimeout(() => r(1), 50)), { name: "bg" })\nt(); 7');
    const text = String(h.sink.calls.filter((c) => c.bundle).pop()!.bundle!['text/plain']);
    expect(text).toMatch(/\b1 task,/);
    expect(text).toMatch(/bg/);
    expect(text).not.toMatch(/outside/);
    expect(flow.tasks.filter((f) => f.name === 'bg').every((f) => f.state === 'DONE')).toBe(true);
  });

  test('several blocks: each workflow\'s start and finish are shown', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    await h.cell([
      '%%flow --plot none',
      'const step = flow.functionTask(async (x: number) => x + 1, { name: "step" })',
      'const wf = flow.block(async (x: number) => step(await step(x)), { name: "wf" })',
      'await Promise.all([wf(1), wf(10)])',
    ].join('\n'));
    const text = String(h.sink.calls.filter((c) => c.bundle).pop()!.bundle!['text/plain']);
    expect(text).toMatch(/workflow[\s\S]*start[\s\S]*finish/);
    expect(text.match(/\bwf\b/g)!.length).toBeGreaterThanOrEqual(2);
  });

  test('--backend B runs the cell there and restores the previous default', async () => {
    flow = await WorkflowEngine.create();
    const before = flow.backend;
    const backends: string[] = [];
    flow.on('task', (e) => backends.push(e.backend));
    const h = harness({ flow });
    expect(await h.cell(`%%flow --backend threads:2 --plot none\n${BODY}`)).toBe(25);
    expect(new Set(backends)).toEqual(new Set(['threads']));
    expect(flow.backend).toBe(before);
    expect(await h.cell('await flow.functionTask(() => 3)()')).toBe(3);
  });

  test('interrupt cancels the cell\'s tasks and fails the cell', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    flow.on('task', (e: TaskEvent) => {
      if (e.name === 'long' && e.state === 'RUNNING') h.abort.abort();
    });
    const err = await h
      .cell('%%flow --plot none\nconst long = flow.executableTask(() => "sleep 30", { name: "long" })\nawait Promise.all([long(), long()])')
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    const longs = flow.tasks.filter((f) => f.name === 'long');
    expect(longs).toHaveLength(2);
    expect(longs.every((f) => f.state === 'CANCELLED')).toBe(true);
    expect(String(h.sink.calls.filter((c) => c.bundle).pop()!.bundle!['text/plain'])).toMatch(/2 cancelled/);
  });

  test('interrupting a body that awaits a chain of in-loop tasks starts no new task (issue 17 item 12)', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    let started = 0;
    flow.on('task', (e: TaskEvent) => {
      if (e.name === 'step' && e.state === 'RUNNING' && ++started === 5) setTimeout(() => h.abort.abort(), 0);
    });
    // Each step spins a little and then yields: the interrupt lands between steps, when nothing runs.
    const body = 'const step = flow.functionTask((i: number) => { const end = Date.now() + 2; while (Date.now() < end); return i; }, { name: "step" })\n'
      + 'for (let i = 0; i < 1000; i++) { await step(i); await new Promise((r) => setTimeout(r, 1)); }';
    await expect(h.cell(`%%flow --plot none\n${body}`)).rejects.toThrow();
    const steps = flow.tasks.filter((f) => f.name === 'step');
    const ran = steps.filter((f) => f.state === 'DONE').length;
    expect(ran).toBeGreaterThanOrEqual(4);
    expect(ran).toBeLessThan(10);
    await new Promise((r) => setTimeout(r, 200));
    expect(flow.tasks.filter((f) => f.name === 'step' && f.state === 'DONE').length).toBe(ran);
  });

  test('tasks of an engine created in the cell are shown; --engine E shows only that one', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow, WorkflowEngine });
    await h.cell('%%flow --plot none\nconst mine = await WorkflowEngine.create()\nconst t = mine.functionTask((x: number) => x, { name: "own" })\nawait Promise.all([t(1), t(2), t(3)])\nawait mine.shutdown()');
    const text = String(h.sink.calls.filter((c) => c.bundle).pop()!.bundle!['text/plain']);
    expect(text).toMatch(/3 tasks/);
    expect(text).toMatch(/own/);
    const other = await WorkflowEngine.create();
    h.scope.other = other;
    await h.cell('%%flow --plot none --engine other\nconst a = other.functionTask(() => 1, { name: "there" })\nconst b = flow.functionTask(() => 2, { name: "here" })\nawait a(); await b()');
    const text2 = String(h.sink.calls.filter((c) => c.bundle).pop()!.bundle!['text/plain']);
    expect(text2).toMatch(/there/);
    expect(text2).not.toMatch(/\bhere\b/);
    await other.shutdown();
  });

  test('a usage error in the flags runs nothing', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    await expect(h.cell(`%%flow --plot pie\n${BODY}`)).rejects.toThrow(/must be one of auto, gantt, stream, none/);
    await expect(h.cell(`%%flow --backend gpu\n${BODY}`)).rejects.toThrow(/unknown backend 'gpu'/);
    expect(flow.tasks).toHaveLength(0);
    expect(h.sink.calls).toHaveLength(0);
  });

  test('magics inside the body work (the body is transformed like a cell)', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    const v = await h.cell('%%flow --plot none\n!echo inside\nconst r = %env HOME\n%time await flow.functionTask(() => 2)()');
    expect(v).toBe(2);
    expect(h.sink.out).toMatch(/^inside\nCPU times: .*\nWall time: .*\n$/);
  });
});

describe('flow.last', () => {
  test('holds rows, events, wall and errors, and exports JSON, CSV, a Perfetto trace and chart files', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-last-'));
    const trace = path.join(dir, 'run.json');
    const body = [
      'const load = flow.functionTask(() => { throw new Error("no data") }, { name: "load" })',
      'const stage = flow.functionTask((x: number) => x, { name: "stage" })',
      'const wf = flow.block(async () => { const ok = flow.functionTask(() => 1, { name: "ok" }); return ok() }, { name: "wf" })',
      'await wf()',
      'await stage(load()).catch(() => 0)',
    ].join('\n');
    await h.cell(`%%flow --plot none --trace ${trace}\n${body}`);
    const last = flow.last!;
    expect(last.rows.map((r) => r.name).sort()).toEqual(['load', 'ok', 'stage', 'wf']);
    expect(last.events.length).toBeGreaterThanOrEqual(8);
    expect(last.wall).toBeGreaterThan(0);
    expect(last.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ task: 'stage#3', error: 'dependency `load#2` failed' }),
    ]));
    const json = JSON.parse(JSON.stringify(last));
    expect(json.rows).toHaveLength(4);
    const csv = last.toCSV().trim().split('\n');
    expect(csv[0]).toMatch(/^index,name,kind,backend,worker,state,start_ms/);
    expect(csv).toHaveLength(5);
    const t = JSON.parse(fs.readFileSync(trace, 'utf8')) as { traceEvents: Array<Record<string, any>> };
    const span = t.traceEvents.find((e) => e.ph === 'X' && e.cat === 'workflow')!;
    const ok = t.traceEvents.find((e) => e.ph === 'X' && e.name.startsWith('ok#'))!;
    expect(ok.pid).toBe(span.pid); // the task sits under its workflow's process
    expect(ok.ts).toBeGreaterThanOrEqual(span.ts);
    expect(ok.ts + ok.dur).toBeLessThanOrEqual(span.ts + span.dur + 1);
    expect(t.traceEvents.some((e) => e.ph === 'i' && e.name === 'stage#3')).toBe(true); // never started
    const png = await last.saveChart(path.join(dir, 'run.png'));
    expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    const svg = await last.saveChart(path.join(dir, 'run.svg'));
    expect(fs.readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
