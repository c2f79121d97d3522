/**
 * The pilot agent: one Node process per pilot job, started by `srun` and holding the allocation. Tasks come over
 * an authenticated connection back to the host (channel.ts), so a task costs a frame and a fork instead of a
 * scheduler cycle. It runs up to `--slots` tasks at once: argv executables directly, shell commands under bash,
 * each in its own process group; functions in warm forked function-worker processes (killed on cancel).
 * Every child is tied to the agent (../proc/spawn.ts): parent-death signal plus the reaper, which kills their
 * process groups when the agent dies, even by SIGKILL (slurmstepd's proctrack/linuxproc loses them otherwise).
 *
 * Usage: node slurm/agent.js --slots N --connect host:port --name NAME [--tls] [--max-frame BYTES]
 *   The pilot's key is the first line on stdin (never argv or env); stdin's EOF later means "host gone".
 * Or:    node slurm/agent.js --once < request.json > reply.json   (sbatch mode: one task, files only)
 */
import type { ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { toWire, type WireError } from '../../engine/wire-errors';
import { killTree, signalGroup } from '../proc/kill';
import { forkTied, spawnTied } from '../proc/spawn';
import { ndjson } from '../proc/ndjson';
import { connectToHost, readKey, type AgentChannel } from './channel';
import { DEFAULT_MAX_FRAME } from './frames';
import { decodeValue, encodeValue, type AgentJob, type ExecJob, type FromAgent, type FunctionJob, type ToAgent } from './protocol';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const slots = Math.max(1, Number(arg('--slots')) || 1);
const once = process.argv.includes('--once');
const GRACE_MS = 2000;
/**
 * A task's start is reported on its own only once it has run this long; a shorter task reports it in its 'done'
 * frame (with how long ago it began, so the engine still gets the real start time). A `true` takes ~1 ms here:
 * the separate frame cost the kernel a wake-up and the agent a write per task, 14-37% of the warm-pilot rate in
 * an A/B under load 4. The kernel counts a task it has handed over as possibly begun (pilot.ts `delivered`), so a
 * pilot lost within the hold never makes it run twice.
 */
const START_HOLD_MS = 5;
const workerPath = process.env.FLOWBOOK_FUNCTION_WORKER || path.join(__dirname, 'function-worker.js');
/**
 * srun exported the environment once and the agent never changes it: copy it once. Spawning with process.env
 * reads every variable through the env accessor each time (SLURM adds ~60): 110 us of a 600 us spawn.
 */
const agentEnv: NodeJS.ProcessEnv = { ...process.env };

interface Running {
  child: ChildProcess;
  cancelled: boolean;
  worker: boolean;
  /** performance.now() at spawn or hand-over to the worker. */
  startedAt: number;
  /** Set until the start has been reported on its own (then cleared). */
  holdStart?: NodeJS.Timeout;
}

const running = new Map<string, Running>();
const idleWorkers: ChildProcess[] = [];
const workerCwd = new WeakMap<ChildProcess, string>();
let channel: AgentChannel | undefined;
let onceReply: ((msg: FromAgent, value?: Buffer) => void) | undefined;

const maxValue = (Number(arg('--max-frame')) || DEFAULT_MAX_FRAME) - 65536;

function send(msg: FromAgent, value?: Buffer): void {
  if (value && value.length > maxValue && msg.type === 'done') {
    const mb = (n: number) => (n / 1048576).toFixed(1);
    const message = `result of ${mb(value.length)} MB is over the channel's cap of ${mb(maxValue)} MB (maxMessageMb)`;
    return send({ type: 'done', id: msg.id, ok: false, error: { kind: 'error', name: 'Error', message }, start: msg.start });
  }
  if (onceReply) onceReply(msg, value);
  else channel?.send(msg, value);
}

function fail(id: string, error: WireError, signal?: string): void {
  send({ type: 'done', id, ok: false, error, ...(signal ? { signal } : {}), ...heldStart(id) });
}

/** The task runs: reported after START_HOLD_MS, or with its 'done' if it ends first. */
function began(id: string, child: ChildProcess, worker: boolean): Running {
  const entry: Running = { child, cancelled: false, worker, startedAt: performance.now() };
  entry.holdStart = setTimeout(() => {
    entry.holdStart = undefined;
    send({ type: 'started', id, pid: child.pid, agoMs: performance.now() - entry.startedAt });
  }, START_HOLD_MS);
  running.set(id, entry);
  return entry;
}

/** The start of a task that ends before it was reported, for its 'done' frame. */
function heldStart(id: string): { start?: { pid?: number; agoMs: number } } {
  const r = running.get(id);
  if (!r?.holdStart) return {};
  clearTimeout(r.holdStart);
  r.holdStart = undefined;
  return { start: { pid: r.child.pid, agoMs: performance.now() - r.startedAt } };
}

function start(job: AgentJob, args?: Buffer): void {
  if (running.has(job.id)) return; // the host never sends one id twice; a duplicate must not run twice
  if (running.size >= slots) {
    // The host dispatches only to free slots; a job beyond them is refused, never queued behind its back.
    fail(job.id, toWire(new Error(`agent busy: all ${slots} slots in use`)));
    return;
  }
  if (job.type === 'exec') runExec(job);
  else runFunction(job, args);
}

function finish(id: string): void {
  running.delete(id);
  if (once) exitAll();
}

function runExec(job: ExecJob): void {
  const [file, ...rest] = job.argv ?? ['/bin/bash', '-c', job.command];
  let child: ChildProcess;
  try {
    child = spawnTied(file, rest, {
      cwd: job.cwd,
      env: job.env ? { ...agentEnv, ...job.env } : agentEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so cancel kills the whole command tree
    });
  } catch (e) {
    fail(job.id, execError(job, null, `cannot start: ${(e as Error).message}`, null));
    return;
  }
  const entry = began(job.id, child, false);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  child.on('error', (e) => {
    if (!running.has(job.id)) return;
    fail(job.id, execError(job, null, `cannot start: ${e.message}`, null));
    finish(job.id);
  });
  child.on('close', (code, signal) => {
    if (!running.has(job.id)) return;
    if (code === 0) send({ type: 'done', id: job.id, ok: true, ...heldStart(job.id) }, encodeValue(Buffer.concat(out).toString('utf8').trim()));
    else {
      const stderr = Buffer.concat(err).toString('utf8');
      const fromOutside = !!signal && !entry.cancelled;
      fail(job.id, execError(job, code, stderr, signal), fromOutside ? signal! : undefined);
    }
    finish(job.id);
  });
}

function execError(job: ExecJob, exitCode: number | null, stderr: string, signal: string | null): WireError {
  const how = exitCode !== null ? `exited with code ${exitCode}` : signal ? `was killed by ${signal}` : 'could not start';
  const message = `task '${job.name}' command \`${job.command}\` ${how}`;
  return { kind: 'error', name: 'ExecutableError', message, command: job.command, exitCode, stderr, signal };
}

/** An idle worker started in `cwd` (a function task's working directory), or a new one. */
function takeWorker(cwd: string): ChildProcess {
  const i = idleWorkers.findIndex((w) => workerCwd.get(w) === cwd);
  if (i >= 0) return idleWorkers.splice(i, 1)[0];
  // Task console output goes to stderr: it must never look like the agent's own output.
  const w = forkTied(workerPath, [], { cwd, serialization: 'advanced', stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  workerCwd.set(w, cwd);
  w.stdout!.on('data', (d) => process.stderr.write(d));
  w.on('error', () => {}); // reported through 'exit'
  return w;
}

function runFunction(job: FunctionJob, args: Buffer | undefined): void {
  const w = takeWorker(job.cwd);
  const entry = began(job.id, w, true);
  const done = (ok: boolean, value: unknown, error?: WireError, signal?: string) => {
    w.off('message', onMessage);
    w.off('exit', onExit);
    if (!running.has(job.id)) return;
    if (ok) {
      let bytes: Buffer;
      try {
        bytes = encodeValue(value);
      } catch (e) {
        return void (fail(job.id, toWire(e)), finish(job.id));
      }
      send({ type: 'done', id: job.id, ok: true, ...heldStart(job.id) }, bytes);
    } else fail(job.id, error!, signal);
    finish(job.id);
  };
  const onMessage = (m: any) => {
    if (!m || m.id !== job.id) return;
    if (m.type === 'output') return send({ type: 'output', id: job.id, stream: m.stream === 'stderr' ? 'stderr' : 'stdout', text: String(m.text) });
    idleWorkers.push(w);
    if (idleWorkers.length > slots) idleWorkers.shift()!.kill(); // many cwds: keep at most `slots` idle
    done(!!m.ok, m.value, m.ok ? undefined : (m.error as WireError));
  };
  const onExit = (code: number | null, signal: string | null) => {
    const why = entry.cancelled ? 'cancelled' : `function worker exited (${signal ?? `code ${code}`})`;
    const fromOutside = !!signal && !entry.cancelled;
    done(false, undefined, { kind: 'error', name: 'WorkerCrashError', message: `${job.name}: ${why}` }, fromOutside ? signal! : undefined);
  };
  w.on('message', onMessage);
  w.on('exit', onExit);
  let argv: unknown;
  try {
    argv = decodeValue(args);
  } catch (e) {
    return done(false, undefined, toWire(e));
  }
  w.send({ id: job.id, name: job.name, source: job.source, origin: job.origin, args: argv });
}

function cancel(id: string): void {
  const r = running.get(id);
  if (!r || r.cancelled) return;
  r.cancelled = true;
  if (r.worker) r.child.kill('SIGKILL'); // a busy function cannot be interrupted; the worker is replaced
  else void killTree(r.child, { graceMs: GRACE_MS });
}

let exiting = false;
/** Kills every task and worker and reaps them before exiting, so no process outlives the agent. */
function exitAll(): void {
  if (exiting) return;
  exiting = true;
  const children = [...[...running.values()].map((r) => r.child), ...idleWorkers];
  for (const r of running.values()) (r.worker ? r.child.kill('SIGKILL') : signalGroup(r.child.pid, 'SIGKILL'));
  for (const w of idleWorkers) w.kill('SIGKILL');
  const gone = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => c.once('exit', r)));
  const cap = new Promise((r) => setTimeout(r, 1000));
  void Promise.race([Promise.all(gone), cap]).then(() => channel?.end(() => process.exit(0)) ?? process.exit(0));
}

function onRequest(msg: ToAgent, value?: Buffer): void {
  switch (msg.type) {
    case 'welcome':
      return;
    case 'cancel':
      return cancel(msg.id);
    case 'exec':
    case 'function':
      return start(msg, value);
  }
}

process.on('SIGTERM', exitAll);
process.on('SIGINT', exitAll);

if (once) {
  // sbatch: the request is a file on stdin ({ job, args? } with args base64), the reply one JSON line on stdout.
  const chunks: Buffer[] = [];
  process.stdin.on('data', (d: Buffer) => chunks.push(d));
  process.stdin.on('end', () => {
    const req = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { job: AgentJob; args?: string };
    onceReply = (msg, value) => {
      if (msg.type === 'output') return void process.stderr.write(msg.text); // sbatch: into the job's err file, as before
      if (msg.type !== 'done') return;
      process.stdout.write(ndjson({ ...msg, ...(value ? { value: value.toString('base64') } : {}) }));
    };
    start(req.job, req.args ? Buffer.from(req.args, 'base64') : undefined);
  });
} else {
  const connect = arg('--connect');
  if (!connect) {
    process.stderr.write('slurm-agent: --connect host:port is required (or --once)\n');
    process.exit(2);
  }
  void readKey(process.stdin).then(
    async (key) => {
      process.stdin.on('end', exitAll); // host gone or shutdown: leave nothing behind
      process.stdin.resume();
      const hello: FromAgent = {
        type: 'hello', jobId: process.env.SLURM_JOB_ID ?? '', stepId: process.env.SLURM_STEP_ID ?? '',
        host: process.env.SLURMD_NODENAME || os.hostname(), slots, pid: process.pid, // SLURM's node name (several share a host here)
      };
      await connectToHost({
        where: connect, key, name: arg('--name') ?? '', tls: process.argv.includes('--tls'),
        maxFrame: Number(arg('--max-frame')) || undefined, hello, onMessage: onRequest, onClose: exitAll,
        onWelcome: (ch) => (channel = ch),
      });
    },
    (e: Error) => {
      process.stderr.write(`slurm-agent: ${e.message}\n`);
      process.exit(2);
    },
  );
}
