/**
 * One `srun` running the agent (agent.ts) and the authenticated channel to it (channel.ts). Used two ways:
 * - as the pilot: a long-lived job holding the allocation, tasks streamed in (the default mode);
 * - single-use: one task per srun (its own job in 'srun' mode, or its own step inside the pilot's allocation
 *   when the task carries SLURM options), so that cancel can `scancel` exactly that job or step.
 * The host hands a pilot a task only when it has a free slot (pool.ts), so nothing waits inside an agent: a
 * cancelled task is one the agent never saw, and a pilot that ends leaves no queue behind.
 * States are pushed by the agent ('started', 'done'); nothing is polled. srun's stdin carries the pilot's key
 * and then stays open as a lifeline: EOF (we closed it or died) makes the agent exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromWire } from '../../engine/wire-errors';
import type { StartInfo, SubmitHooks } from '../backend';
import { PilotListener, type HostChannel } from './channel';
import { failureReason, isSlurmLine, jobInfo, scancel } from './cli';
import { decodeValue, type AgentJob, type FromAgent } from './protocol';
import { TaskCancelledError } from '../../engine/errors';
import { PilotLostError, SlurmJobEndedError } from './errors';

export type { AgentJob } from './protocol';

export interface PilotOptions {
  /** srun options placing the agent: resources for a pilot/job, or `--jobid=J --overlap` for a step. */
  srunArgs: string[];
  slots: number;
  /** True when the agent runs as its own job (cancel/close scancel the job); false for a step in a pilot. */
  ownJob: boolean;
  /** Address the listener binds to and the agent connects to (address.ts). */
  bindHost: string;
  tls?: boolean;
  maxFrame?: number;
  /** One task, then the agent exits (srun/step modes). */
  singleUse?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once when srun has exited (the pilot is then dead). */
  onExit?: (pilot: Pilot) => void;
  /** A slot became free (a task settled). */
  onFree?: (pilot: Pilot) => void;
}

interface Pending {
  name: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  hooks: SubmitHooks;
  cancelled: boolean;
  started?: boolean;
  /**
   * Written to the agent, which starts it at once (it has a free slot) but reports that start only after a few
   * ms (agent.ts START_HOLD_MS): if the pilot is lost now, the task may have begun, so it is not run elsewhere.
   */
  delivered?: boolean;
  /** performance.now() when it was handed to the agent: a start reported later is never before it. */
  sentAt: number;
}

export { PilotLostError } from './errors';

let counter = 0;
const STDERR_TAIL = 16384;

/** The compiled agent: ts-jest runs sources, but srun must start plain JS from dist/. */
export function agentScript(): string {
  const js = __filename.endsWith('.js')
    ? path.join(__dirname, 'agent.js')
    : path.resolve(__dirname, '../../../dist/extension/backends/slurm/agent.js');
  if (!fs.existsSync(js)) throw new Error(`SLURM: agent ${js} is missing; run 'npm run build' first`);
  return js;
}

export class Pilot {
  readonly name = `flowbook-${process.pid}-${++counter}`;
  jobId = '';
  stepId = '';
  host = '';
  alive = true;
  /** No new tasks (near its time limit, or idle and being released). */
  draining = false;
  /** performance.now() when SLURM will end it (time limit), once known. */
  endsAt = Infinity;
  private srun?: ChildProcess;
  private listener: PilotListener;
  private ch?: HostChannel;
  private key = randomBytes(32);
  private pending = new Map<string, Pending>();
  private ready = false;
  private stderrTail = '';
  private lostReason = '';
  private closing = false;
  private exited: Promise<void>;
  private onExited!: () => void;
  private onHello!: () => void;
  private onEarlyExit!: (e: Error) => void;
  readonly started: Promise<void>;

  constructor(private opts: PilotOptions) {
    this.started = new Promise<void>((res, rej) => ((this.onHello = res), (this.onEarlyExit = rej)));
    this.started.catch(() => {});
    this.exited = new Promise((res) => (this.onExited = res));
    this.listener = new PilotListener({
      host: opts.bindHost, key: this.key, name: this.name, tls: !!opts.tls, maxFrame: opts.maxFrame,
      onAgent: (ch, hello) => this.onAgent(ch, hello),
    });
    this.listener.listen().then(
      (port) => this.launch(port),
      (e: Error) => void this.die(`cannot listen on ${opts.bindHost}: ${e.message}`),
    );
  }

  private launch(port: number): void {
    if (this.closing) return void this.die('closed before it started');
    const where = this.opts.bindHost.includes(':') ? `[${this.opts.bindHost}]:${port}` : `${this.opts.bindHost}:${port}`;
    const args = ['-J', this.name, ...this.opts.srunArgs, process.execPath, agentScript(),
      '--slots', String(this.opts.slots), '--connect', where, '--name', this.name,
      ...(this.opts.tls ? ['--tls'] : []), ...(this.opts.maxFrame ? ['--max-frame', String(this.opts.maxFrame)] : [])];
    const srun = spawn('srun', args, { cwd: this.opts.cwd, env: this.opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.srun = srun;
    srun.stdin!.on('error', () => {}); // EPIPE after the job died is reported through 'exit'
    srun.stdin!.write(this.key.toString('hex') + '\n'); // the secret goes where no other user can read it
    // The agent writes nothing on stdout: whatever arrives there is a task's (or a library's) output.
    srun.stdout!.on('data', (d: Buffer) => process.stderr.write(d));
    srun.stderr!.setEncoding('utf8');
    srun.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_TAIL);
      // Console output of functions in the pilot goes on to our stderr; SLURM's own lines end up in task errors.
      if (!this.opts.singleUse) {
        const user = d.split('\n').filter((l, i, a) => (l || i < a.length - 1) && !isSlurmLine(l));
        if (user.length) process.stderr.write(user.join('\n') + '\n');
      }
    });
    srun.on('error', (e) => void this.die(`cannot run srun: ${e.message}`));
    srun.on('exit', (code, sig) => void this.die(`srun exited (${sig ?? `code ${code}`})`));
  }

  /** The agent has connected and the pilot has not died. */
  get running(): boolean {
    return this.ready && this.alive;
  }

  get load(): number {
    return this.pending.size;
  }

  get free(): number {
    return this.running && !this.draining ? this.opts.slots - this.pending.size : 0;
  }

  get slots(): number {
    return this.opts.slots;
  }

  /** SLURM id that `scancel` must target to stop this agent: the whole job, or only this step. */
  get target(): string {
    return this.opts.ownJob ? this.jobId : `${this.jobId}.${this.stepId}`;
  }

  /** Hands one task to the agent. Only call with a free slot (single-use: once, before or after start). */
  run(job: AgentJob, value: Buffer | undefined, hooks: SubmitHooks): Promise<unknown> {
    if (!this.alive) return Promise.reject(new PilotLostError(job.name, `SLURM ${this.label()} is gone`));
    return new Promise((resolve, reject) => {
      const p: Pending = { name: job.name, resolve, reject, hooks, cancelled: false, sentAt: performance.now() };
      this.pending.set(job.id, p);
      const deliver = () => {
        p.delivered = true;
        this.ch!.send(job, value);
      };
      if (this.ready) deliver();
      else void this.started.then(deliver, () => {}); // single-use: sent once it said hello
    });
  }

  has(id: string): boolean {
    return this.pending.has(id);
  }

  /** Pilot: the agent kills that task. Single-use: scancel exactly that job or step. */
  async cancel(id: string): Promise<boolean> {
    const p = this.pending.get(id);
    if (!p) return false;
    p.cancelled = true;
    if (!this.opts.singleUse) this.ch?.send({ type: 'cancel', id });
    else await this.stop();
    return true;
  }

  /** Ends the agent and its job/step; resolves when srun has exited. Idempotent. */
  async close(): Promise<void> {
    this.draining = true;
    if (!this.srun) {
      this.closing = true;
      await this.die('closed before it started');
      return;
    }
    if (this.alive && this.ready && !this.pending.size) {
      // Idle: EOF lets the agent exit and the job complete cleanly; scancel only if that does not happen.
      this.srun.stdin!.end();
      const t = setTimeout(() => void this.stop(), 3000);
      await this.exited;
      clearTimeout(t);
    }
    if (this.alive) await this.stop();
    await this.exited;
  }

  private async stop(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.jobId) await scancel(this.target);
    else if (this.opts.ownJob) await scancel(`--name=${this.name}`); // still pending: no id yet
    this.srun?.stdin!.end();
    this.srun?.kill('SIGTERM');
    // srun forwards one SIGTERM to the step; a second kill only matters if it hangs.
    setTimeout(() => this.alive && this.srun?.kill('SIGKILL'), 10000).unref();
  }

  private onAgent(ch: HostChannel, hello: Extract<FromAgent, { type: 'hello' }>): void {
    this.ch = ch;
    this.jobId = hello.jobId;
    this.stepId = hello.stepId;
    this.host = hello.host;
    this.ready = true;
    ch.onMessage = (msg, value) => this.onMessage(msg, value);
    ch.onLost = (why) => {
      // A dropped connection: the agent is gone, srun's exit follows. A refused frame: it can no longer be
      // trusted, so its job ends (its tasks fail with that reason).
      if (this.closing || why === 'connection closed') return;
      process.stderr.write(`flowbook slurm: ${this.label()}: ${why}; ending it\n`);
      this.lostReason = why;
      void scancel(this.target);
    };
    this.onHello();
  }

  private onMessage(msg: FromAgent, value?: Buffer): void {
    switch (msg.type) {
      case 'hello':
        return; // only the first frame is a hello; the channel already took it
      case 'started': {
        const p = this.pending.get(msg.id);
        if (!p || p.started) return;
        p.started = true;
        p.hooks.started(this.startInfo(msg.pid, msg.agoMs === undefined ? undefined : this.startTime(p, msg.agoMs)));
        return;
      }
      case 'output':
        // To the cell that started the task (the engine tags it), never to the kernel's own stderr.
        return void this.pending.get(msg.id)?.hooks.output?.(msg.stream, msg.text);
      case 'done': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        if (msg.start && !p.started) {
          // Ended before its start was reported on its own: the start comes now, dated when it happened.
          p.started = true;
          p.hooks.started(this.startInfo(msg.start.pid, this.startTime(p, msg.start.agoMs)));
        }
        if (!msg.ok && msg.signal && !p.cancelled && !this.closing) {
          void this.explainKill(msg.id, p, fromWire(msg.error, p.name) as Error);
          return;
        }
        this.settle(msg.id, p, () => {
          if (p.cancelled) p.reject(new TaskCancelledError(p.name));
          else if (this.closing && !msg.ok) p.reject(new TaskCancelledError(p.name, `cancelled: the SLURM backend shut down (${this.label()} cancelled)`));
          else if (msg.ok) p.resolve(decodeValue(value));
          else p.reject(fromWire(msg.error, p.name) as Error);
        });
      }
    }
  }

  /** On our clock: `agoMs` before now (the agent's own interval, so no clock sync), never before it was sent. */
  private startTime(p: Pending, agoMs: number): number {
    return Math.max(p.sentAt, performance.now() - agoMs);
  }

  private startInfo(pid: number | undefined, time?: number): StartInfo {
    const step = this.opts.ownJob ? `job ${this.jobId}` : `step ${this.target}`;
    return { slot: { worker: 0, pid, host: this.host }, detail: `SLURM ${step} on ${this.host}`, ...(time !== undefined ? { time } : {}) };
  }

  private settle(id: string, p: Pending, how: () => void): void {
    this.pending.delete(id);
    try {
      how();
    } catch (e) {
      p.reject(e as Error); // a value that does not deserialize
    }
    if (this.opts.singleUse) this.srun?.stdin!.end(); // agent exits on EOF, srun and its job/step end
    else this.opts.onFree?.(this);
  }

  /**
   * A command killed by a signal we did not send: usually SLURM ending the job or step (scancel from outside,
   * time limit, node failure). Report SLURM's reason rather than a bare "killed by SIGTERM".
   */
  private async explainKill(id: string, p: Pending, original: Error): Promise<void> {
    let reason = '';
    if (this.opts.singleUse) {
      this.srun?.stdin!.end();
      await this.exited; // srun's stderr then holds SLURM's own message; die() may already have rejected
      reason = await failureReason(this.jobId, this.stderrTail);
    } else if ((await jobInfo(this.jobId))?.state !== 'RUNNING') {
      await this.exited; // the pilot is ending too: die() rejects with srun's message and the final job state
      return;
    }
    if (this.pending.get(id) !== p) return;
    this.settle(id, p, () => p.reject(reason ? new SlurmJobEndedError(p.name, this.label(), reason) : original));
  }

  label(): string {
    return this.jobId ? `${this.opts.ownJob ? 'job' : 'step'} ${this.target}` : `job ${this.name} (not started)`;
  }

  private async die(how: string): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.listener.close();
    this.ch?.close();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    if (waiting.length || !this.ready) {
      const lastLine = this.stderrTail.trim().split('\n').pop();
      const slurm = await failureReason(this.jobId || undefined, this.stderrTail);
      const reason = [this.lostReason, slurm].filter(Boolean).join('; ') || (lastLine ? `${how}: ${lastLine}` : how);
      const ended = (name: string) => this.closing
        ? new TaskCancelledError(name, `cancelled: the SLURM backend shut down (${this.label()} cancelled)`)
        : new SlurmJobEndedError(name, this.label(), reason);
      if (!this.ready) this.onEarlyExit(ended(this.name)); // the pilot job itself failed
      for (const p of waiting) {
        if (p.cancelled) p.reject(new TaskCancelledError(p.name));
        else if (this.closing) p.reject(ended(p.name));
        // Never handed over: safe to run elsewhere. Handed over: it may have begun; only `retries` runs it again.
        else if (!p.delivered) p.reject(new PilotLostError(p.name, ended(p.name).message));
        else p.reject(ended(p.name));
      }
    }
    this.onExited();
    this.opts.onExit?.(this);
  }
}
