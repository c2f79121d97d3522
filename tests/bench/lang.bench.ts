// Language features benchmark (`npm run bench lang`): completion latency (a runtime name and a member known only
// from the types), the first inspect (timed from kernel_info and from the spawn), and RSS after start + 10 cells +
// the first inspect, for flowbook, tslab and ipykernel in one run, with the same zeromq client. RSS is the
// kernel's process tree.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KERNEL_ENV, NODE_FLAGS } from '../../kernel/node-flags';
import { KernelClient } from './kernel-client';
import type { BenchResult, BenchRow } from './types';

const ROOT = path.resolve(__dirname, '../../..');
const COMPLETIONS = Number(process.env.FLOWBOOK_BENCH_COMPLETIONS ?? 40);

interface Target {
  name: string;
  argv: string[];
  /** The kernelspec's env, as Jupyter starts the kernel. */
  env?: Record<string, string>;
  cell: (i: number) => string;
  inspect: string;
  runtimeCompletion: string;
  typedCompletion: string;
}

function targets(): Target[] {
  const ipy = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-bench-ipy-'));
  process.env.IPYTHONDIR = ipy;
  const ts = { cell: (i: number) => `const value${i}: number = ${i} * 2`, inspect: 'Math.max', runtimeCompletion: 'Math.fl', typedCompletion: '[1, 2].fla' };
  const list: Target[] = [
    { name: 'flowbook', argv: [process.execPath, ...NODE_FLAGS, path.join(ROOT, 'dist/kernel/main.js'), '{connection_file}'], env: KERNEL_ENV, ...ts },
    // Without the kernelspec's env (started by hand): what its malloc setting saves.
    { name: 'flowbook-bare', argv: [process.execPath, ...NODE_FLAGS, path.join(ROOT, 'dist/kernel/main.js'), '{connection_file}'], ...ts },
    {
      name: 'ipykernel', argv: ['/usr/bin/python3', '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      cell: (i) => `value${i} = ${i} * 2`, inspect: 'max', runtimeCompletion: 'import math; math.fl', typedCompletion: '[1, 2].app',
    },
  ];
  const tslab = path.join(ROOT, 'node_modules/tslab/bin/tslab');
  if (fs.existsSync(tslab)) list.push({ name: 'tslab', argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'], ...ts });
  return list;
}

/** RSS in MB of `pid` and its descendants (from /proc). */
function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return kb / 1024;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error('timeout')), ms)))]).finally(() => clearTimeout(t));
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(t: Target): Promise<Record<string, number | string>> {
  const k = new KernelClient();
  try {
    const spawned = performance.now();
    await k.start(t.argv, { ...process.env, ...t.env, FLOWBOOK_LOG: 'off', PYDEVD_DISABLE_FILE_VALIDATION: '1' });
    await withTimeout(k.ready(), 30_000);
    const readyMs = performance.now() - spawned;
    const rssStart = treeRssMb(k.proc.pid!);
    let t0 = performance.now();
    const first = await withTimeout(k.request('inspect_request', { code: t.inspect, cursor_pos: t.inspect.length, detail_level: 0 }), 60_000);
    const firstInspectMs = performance.now() - t0;
    // From the spawn too: a kernel that builds its model before answering kernel_info (tslab) has a quick first
    // inspect after kernel_info and a slow start; one that answers kernel_info first (flowbook) the reverse.
    const firstInspectFromSpawnMs = performance.now() - spawned;
    if (!first.reply.content.found) throw new Error(`${t.name}: inspect found nothing`);
    for (let i = 0; i < 10; i++) await withTimeout(k.execute(t.cell(i), { allow_stdin: true }), 30_000);
    await new Promise((r) => setTimeout(r, 3000)); // background checks and builds settle
    const rss = treeRssMb(k.proc.pid!);
    const times = async (code: string) => {
      const ts: number[] = [];
      let matches = 0;
      for (let i = 0; i < COMPLETIONS; i++) {
        t0 = performance.now();
        const r = await withTimeout(k.request('complete_request', { code, cursor_pos: code.length }), 30_000);
        ts.push(performance.now() - t0);
        matches = r.reply.content.matches.length;
      }
      return { p50: pct(ts, 50), matches };
    };
    const runtime = await times(t.runtimeCompletion);
    const typed = await times(t.typedCompletion);
    return {
      ready_ms: readyMs, first_inspect_ms: firstInspectMs, first_inspect_from_spawn_ms: firstInspectFromSpawnMs, rss_start_mb: rssStart, rss_after_mb: rss,
      complete_runtime_p50_ms: runtime.p50, complete_runtime_matches: runtime.matches,
      complete_typed_p50_ms: typed.p50, complete_typed_matches: typed.matches,
    };
  } finally {
    await k.close();
  }
}

const ms = (x: unknown) => (typeof x === 'number' ? `${x.toFixed(x < 10 ? 1 : 0)} ms` : 'n/a');
const mb = (x: unknown) => (typeof x === 'number' ? `${x.toFixed(0)} MB` : 'n/a');

export async function bench(): Promise<BenchResult> {
  const data: Record<string, any> = { machine: `${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)} at start` };
  for (const t of targets()) {
    try {
      data[t.name] = await measure(t);
    } catch (e) {
      data[t.name] = { error: String((e as Error).message ?? e) };
    }
    console.error(t.name, JSON.stringify(data[t.name]));
  }
  const f = data.flowbook ?? {};
  const bare = data['flowbook-bare'] ?? {};
  const rows: BenchRow[] = [
    { case: 'RSS after start, inspect, 10 cells: bare argv (baseline: kernelspec env)', flowbook: mb(bare.rss_after_mb), baseline: mb(f.rss_after_mb), ratio: '', goal: '' },
  ];
  for (const base of ['tslab', 'ipykernel']) {
    const b = data[base] ?? {};
    if (b.error || !b.rss_after_mb) continue;
    const ratio = (x: number, y: number) => (x && y ? (y / x).toFixed(2) : 'n/a');
    rows.push(
      { case: `completion, runtime name p50 (vs ${base})`, flowbook: ms(f.complete_runtime_p50_ms), baseline: ms(b.complete_runtime_p50_ms), ratio: ratio(f.complete_runtime_p50_ms, b.complete_runtime_p50_ms), goal: '<= 7 ms', met: f.complete_runtime_p50_ms <= 7 },
      { case: `completion, typed member p50 (vs ${base})`, flowbook: ms(f.complete_typed_p50_ms), baseline: ms(b.complete_typed_p50_ms), ratio: ratio(f.complete_typed_p50_ms, b.complete_typed_p50_ms), goal: '<= 30 ms', met: f.complete_typed_p50_ms <= 30 },
      { case: `first inspect after start (vs ${base})`, flowbook: ms(f.first_inspect_ms), baseline: ms(b.first_inspect_ms), ratio: ratio(f.first_inspect_ms, b.first_inspect_ms), goal: '<= 300 ms', met: f.first_inspect_ms <= 300 },
      { case: `spawn -> kernel_info reply (vs ${base})`, flowbook: ms(f.ready_ms), baseline: ms(b.ready_ms), ratio: ratio(f.ready_ms, b.ready_ms), goal: '' },
      { case: `spawn -> first inspect reply (vs ${base})`, flowbook: ms(f.first_inspect_from_spawn_ms), baseline: ms(b.first_inspect_from_spawn_ms), ratio: ratio(f.first_inspect_from_spawn_ms, b.first_inspect_from_spawn_ms), goal: '' },
      { case: `RSS after start, inspect, 10 cells (vs ${base})`, flowbook: mb(f.rss_after_mb), baseline: mb(b.rss_after_mb), ratio: ratio(f.rss_after_mb, b.rss_after_mb), goal: '<= 200 MB', met: f.rss_after_mb <= 200 },
    );
  }
  return { area: 'lang', rows, data };
}
