/**
 * The pilot agent: one Node process per pilot job, started by `srun` and holding the allocation. Tasks are
 * streamed to it as NDJSON on stdin and it answers on stdout (see protocol.ts), so a task costs a pipe
 * write and a fork instead of a scheduler cycle. It runs up to `--slots` tasks at once: executables with
 * bash in their own process group, functions in forked function-worker processes (killed on cancel).
 * Usage: node slurm/agent.js --slots N [--connect host:port --token T] [--once]
 *   --connect: talk over TCP to the client (stdin EOF still means "client gone"); else over stdin/stdout.
 *   --once: exit after one task (sbatch mode, stdin is a file).
 */
import { spawn, fork, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeValue, encodeValue, onLines, type FromAgent, type ToAgent, type WireError } from './protocol';

const slots = Math.max(1, Number(process.argv[process.argv.indexOf('--slots') + 1]) || 1);
const once = process.argv.includes('--once');
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const connect = arg('--connect');
let socket: net.Socket | undefined;
const GRACE_MS = 2000;
const workerPath = process.env.FLOWBOOK_FUNCTION_WORKER || path.join(__dirname, '..', 'function-worker.js');

type Job = Exclude<ToAgent, { type: 'cancel' }>;
interface Running {
  child: ChildProcess;
  cancelled: boolean;
  worker: boolean;
}

const queue: Job[] = [];
const running = new Map<string, Running>();
const idleWorkers: ChildProcess[] = [];
const workerCwd = new WeakMap<ChildProcess, string>();

function send(msg: FromAgent): void {
  (socket ?? process.stdout).write(JSON.stringify(msg) + '\n');
}

function fail(id: string, error: WireError): void {
  send({ type: 'done', id, ok: false, error });
}

function pump(): void {
  while (running.size < slots && queue.length) {
    const job = queue.shift()!;
    send({ type: 'started', id: job.id });
    if (job.type === 'exec') runExec(job);
    else runFunction(job);
  }
}

/** `killedFromOutside`: SLURM is most likely ending the job (scancel, time limit); hold the queue a moment so
 *  that queued tasks are not started into a dying job (the client re-runs never-started tasks elsewhere). */
function finish(id: string, killedFromOutside = false): void {
  running.delete(id);
  if (once) exitAll();
  if (killedFromOutside) setTimeout(pump, 500);
  else pump();
}

function runExec(job: Extract<ToAgent, { type: 'exec' }>): void {
  const child = spawn('/bin/bash', ['-c', job.command], {
    cwd: job.cwd,
    env: { ...process.env, ...job.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so cancel kills the whole command tree
  });
  const entry: Running = { child, cancelled: false, worker: false };
  running.set(job.id, entry);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  child.on('error', (e) => {
    fail(job.id, { message: `cannot start command: ${e.message}` });
    finish(job.id);
  });
  child.on('close', (code, signal) => {
    if (!running.has(job.id)) return;
    if (code === 0) send({ type: 'done', id: job.id, ok: true, value: encodeValue(out.trim()) });
    else {
      const why = entry.cancelled ? 'cancelled' : signal ? `killed by ${signal}` : `exited with code ${code}`;
      const tail = err.trim().split('\n').slice(-1)[0];
      fail(job.id, { message: `command ${why}${tail ? `: ${tail}` : ''}`, exitCode: code ?? undefined, stderr: err, signal: signal ?? undefined });
    }
    finish(job.id, !!signal && !entry.cancelled);
  });
}

/** An idle worker started in `cwd` (a function task's working directory), or a new one. */
function takeWorker(cwd: string): ChildProcess {
  const i = idleWorkers.findIndex((w) => workerCwd.get(w) === cwd);
  if (i >= 0) return idleWorkers.splice(i, 1)[0];
  // stdout is piped to stderr: user console.log must never corrupt the protocol on our stdout.
  const w = fork(workerPath, [], { cwd, serialization: 'advanced', stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  workerCwd.set(w, cwd);
  w.stdout!.on('data', (d) => process.stderr.write(d));
  return w;
}

function runFunction(job: Extract<ToAgent, { type: 'function' }>): void {
  const w = takeWorker(job.cwd);
  const entry: Running = { child: w, cancelled: false, worker: true };
  running.set(job.id, entry);
  const done = (msg: FromAgent, killedFromOutside = false) => {
    w.off('message', onMessage);
    w.off('exit', onExit);
    if (!running.has(job.id)) return;
    send(msg);
    finish(job.id, killedFromOutside);
  };
  const onMessage = (m: any) => {
    if (!m || m.id !== job.id) return;
    idleWorkers.push(w);
    if (idleWorkers.length > slots) idleWorkers.shift()!.kill(); // many cwds: keep at most `slots` idle
    if (m.ok) done({ type: 'done', id: job.id, ok: true, value: encodeValue(m.value) });
    else done({ type: 'done', id: job.id, ok: false, error: m.error as WireError }); // already wire form
  };
  const onExit = (code: number | null, signal: string | null) => {
    const why = entry.cancelled ? 'cancelled' : `function worker exited (${signal ?? `code ${code}`})`;
    const signalled = !!signal && !entry.cancelled;
    done({ type: 'done', id: job.id, ok: false, error: { message: `${job.name}: ${why}`, signal: signal ?? undefined } }, signalled);
  };
  w.on('message', onMessage);
  w.on('exit', onExit);
  w.send({ id: job.id, source: job.source, args: decodeValue(job.args) });
}

function cancel(id: string): void {
  const i = queue.findIndex((j) => j.id === id);
  if (i >= 0) {
    queue.splice(i, 1);
    fail(id, { message: 'cancelled' });
    return;
  }
  const r = running.get(id);
  if (!r || r.cancelled) return;
  r.cancelled = true;
  if (r.worker) r.child.kill('SIGKILL'); // a busy function cannot be interrupted; the worker is replaced
  else {
    killGroup(r.child, 'SIGTERM');
    setTimeout(() => killGroup(r.child, 'SIGKILL'), GRACE_MS).unref();
  }
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}

/** Kills every task and worker and reaps them before exiting, so no process outlives the agent. */
function exitAll(): void {
  const children = [...[...running.values()].map((r) => r.child), ...idleWorkers];
  for (const r of running.values()) (r.worker ? r.child.kill('SIGKILL') : killGroup(r.child, 'SIGKILL'));
  for (const w of idleWorkers) w.kill('SIGKILL');
  const gone = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => c.once('exit', r)));
  const cap = new Promise((r) => setTimeout(r, 1000));
  void Promise.race([Promise.all(gone), cap]).then(() => process.exit(0));
}

function onRequest(line: string): void {
  const msg = JSON.parse(line) as ToAgent;
  if (msg.type === 'cancel') cancel(msg.id);
  else {
    queue.push(msg);
    pump();
  }
}

if (!once) process.stdin.on('end', exitAll); // client gone or shutdown: leave nothing behind
process.stdin.resume();
process.on('SIGTERM', exitAll);
process.on('SIGINT', exitAll);

const hello = (): void =>
  send({ type: 'hello', jobId: process.env.SLURM_JOB_ID ?? '', stepId: process.env.SLURM_STEP_ID ?? '', host: os.hostname(), slots, token: arg('--token') ?? '' });

if (connect) {
  const i = connect.lastIndexOf(':');
  socket = net.connect({ host: connect.slice(0, i), port: Number(connect.slice(i + 1)) }, hello);
  socket.setNoDelay(true);
  onLines(socket, onRequest);
  socket.on('close', exitAll);
  socket.on('error', (e) => process.stderr.write(`slurm-agent: connection to ${connect} failed: ${e.message}\n`));
} else {
  onLines(process.stdin, onRequest);
  hello();
}
