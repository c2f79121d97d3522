/**
 * One `srun` running the agent (agent.ts) and the NDJSON stream to it. Used two ways:
 * - as the pilot: a long-lived job holding the allocation, tasks streamed in (the default mode);
 * - single-use: one task per srun (its own job in 'srun' mode, or its own step inside the pilot's allocation
 *   when the task carries SLURM options), so that cancel can `scancel` exactly that job or step.
 * States are pushed by the agent ('started', 'done') over a TCP connection it opens back to us; nothing is
 * polled. srun's stdin stays open only as a lifeline: EOF (we closed it or died) makes the agent exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { failureReason, isSlurmLine, jobInfo, scancel } from './cli';
import { decodeValue, onLines, toError, type FromAgent, type ToAgent } from './protocol';
import type { SubmitHooks } from '../backend';

export type AgentJob = Exclude<ToAgent, { type: 'cancel' }>;

export interface PilotOptions {
  /** srun options placing the agent: resources for a pilot/job, or `--jobid=J --overlap` for a step. */
  srunArgs: string[];
  slots: number;
  /** True when the agent runs as its own job (cancel/close scancel the job); false for a step in a pilot. */
  ownJob: boolean;
  /** One task, then the agent exits (srun/step modes). */
  singleUse?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once when srun has exited (the pilot is then dead). */
  onExit?: (pilot: Pilot) => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  hooks: SubmitHooks;
  cancelled: boolean;
  started?: boolean;
}

/** The pilot died while the task was still queued in it (never started): safe to run it elsewhere. */
export class PilotLostError extends Error {
  override name = 'PilotLostError';
}

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
  alive = true;
  private srun: ChildProcess;
  private server: net.Server;
  private conn?: net.Socket;
  private token = randomBytes(12).toString('hex');
  private pending = new Map<string, Pending>();
  private outbox: string[] = [];
  private ready = false;
  private stderrTail = '';
  private closing = false;
  private exited: Promise<void>;
  readonly started: Promise<void>;

  constructor(private opts: PilotOptions) {
    let onHello!: () => void;
    let onEarlyExit!: (e: Error) => void;
    this.started = new Promise<void>((res, rej) => ((onHello = res), (onEarlyExit = rej)));
    this.started.catch(() => {});
    // The agent connects back here (host: FLOWBOOK_SLURM_HOST or our hostname, which compute nodes resolve).
    this.server = net.createServer((sock) => this.onConnection(sock, onHello));
    this.server.listen(0); // without a host Node binds synchronously (all interfaces), so the port is known now
    const where = `${process.env.FLOWBOOK_SLURM_HOST ?? os.hostname()}:${(this.server.address() as net.AddressInfo).port}`;
    const args = ['--unbuffered', '-J', this.name, ...opts.srunArgs, process.execPath, agentScript(),
      '--slots', String(opts.slots), '--connect', where, '--token', this.token];
    this.srun = spawn('srun', args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.srun.stdin!.on('error', () => {}); // EPIPE after the job died is reported through 'exit'
    onLines(this.srun.stdout!, (line) => this.onMessage(JSON.parse(line) as FromAgent, onHello));
    this.srun.stderr!.setEncoding('utf8');
    this.srun.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_TAIL);
      // Console output of functions in the pilot goes on to our stderr; SLURM's own lines end up in task errors.
      if (!opts.singleUse) {
        const user = d.split('\n').filter((l, i, a) => (l || i < a.length - 1) && !isSlurmLine(l));
        if (user.length) process.stderr.write(user.join('\n') + '\n');
      }
    });
    this.exited = new Promise((res) => {
      this.srun.on('error', (e) => this.die(`cannot run srun: ${e.message}`, onEarlyExit).then(res));
      this.srun.on('exit', (code, sig) => this.die(`srun exited (${sig ?? `code ${code}`})`, onEarlyExit).then(res));
    });
  }

  /** The agent has connected and the pilot has not died. */
  get running(): boolean {
    return this.ready && this.alive;
  }

  get load(): number {
    return this.pending.size;
  }

  /** SLURM id that `scancel` must target to stop this agent: the whole job, or only this step. */
  get target(): string {
    return this.opts.ownJob ? this.jobId : `${this.jobId}.${this.stepId}`;
  }

  run(job: AgentJob, hooks: SubmitHooks): Promise<unknown> {
    if (!this.alive) return Promise.reject(new Error(`SLURM ${this.label()} is gone`));
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject, hooks, cancelled: false });
      this.write(job);
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
    if (!this.opts.singleUse) this.write({ type: 'cancel', id });
    else await this.stop();
    return true;
  }

  /** Ends the agent and its job/step; resolves when srun has exited. Idempotent. */
  async close(): Promise<void> {
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
    this.srun.stdin!.end();
    this.srun.kill('SIGTERM');
    // srun forwards one SIGTERM to the step; a second kill only matters if it hangs.
    setTimeout(() => this.alive && this.srun.kill('SIGKILL'), 10000).unref();
  }

  private write(msg: ToAgent): void {
    const line = JSON.stringify(msg) + '\n';
    if (this.ready) this.conn!.write(line);
    else this.outbox.push(line); // the step may still be pending; send once the agent said hello
  }

  private onConnection(sock: net.Socket, onHello: () => void): void {
    sock.setNoDelay(true);
    sock.on('error', () => {}); // the agent's death is reported through srun's exit
    let first = true;
    onLines(sock, (line) => {
      const msg = JSON.parse(line) as FromAgent;
      if (first) {
        first = false;
        if (msg.type !== 'hello' || msg.token !== this.token) return void sock.destroy(); // not our agent
        this.conn = sock;
        this.server.close();
      }
      if (this.conn === sock) this.onMessage(msg, onHello);
    });
  }

  private onMessage(msg: FromAgent, onHello: () => void): void {
    if (msg.type === 'hello') {
      this.jobId = msg.jobId;
      this.stepId = msg.stepId;
      this.ready = true;
      for (const line of this.outbox.splice(0)) this.conn!.write(line);
      onHello();
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'started') {
      p.started = true;
      p.hooks.started();
      return;
    }
    if (!msg.ok && msg.error.signal && !p.cancelled && !this.closing) {
      void this.explainKill(msg.id, p, toError(msg.error));
      return;
    }
    this.pending.delete(msg.id);
    if (p.cancelled) p.reject(new Error('cancelled'));
    else if (this.closing && !msg.ok) p.reject(new Error(`SLURM backend shut down (${this.label()} cancelled)`));
    else if (msg.ok) p.resolve(decodeValue(msg.value));
    else p.reject(toError(msg.error));
    if (this.opts.singleUse) this.srun.stdin!.end(); // agent exits on EOF, srun and its job/step end
  }

  /**
   * A command killed by a signal we did not send: usually SLURM ending the job or step (scancel from outside,
   * time limit, node failure). Report SLURM's reason rather than a bare "killed by SIGTERM".
   */
  private async explainKill(id: string, p: Pending, original: Error): Promise<void> {
    let reason = '';
    if (this.opts.singleUse) {
      this.srun.stdin!.end();
      await this.exited; // srun's stderr then holds SLURM's own message; die() may already have rejected
      reason = await failureReason(this.jobId, this.stderrTail);
    } else if ((await jobInfo(this.jobId))?.state !== 'RUNNING') {
      await this.exited; // the pilot is ending too: die() rejects with srun's message and the final job state
      return;
    }
    if (this.pending.get(id) !== p) return;
    this.pending.delete(id);
    p.reject(reason ? new Error(`SLURM ${this.label()} ended before the task finished: ${reason}`) : original);
  }

  private label(): string {
    return this.jobId ? `${this.opts.ownJob ? 'job' : 'step'} ${this.target}` : `job ${this.name} (not started)`;
  }

  private async die(how: string, onEarlyExit: (e: Error) => void): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.server.close();
    this.conn?.destroy();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    if (waiting.length || !this.ready) {
      const lastLine = this.stderrTail.trim().split('\n').pop();
      const reason = (await failureReason(this.jobId || undefined, this.stderrTail)) || (lastLine ? `${how}: ${lastLine}` : how);
      const err = this.closing
        ? new Error(`SLURM backend shut down (${this.label()} cancelled)`)
        : new Error(`SLURM ${this.label()} ended before the task finished: ${reason}`);
      if (!this.ready) onEarlyExit(err);
      for (const p of waiting) {
        if (p.cancelled) p.reject(new Error('cancelled'));
        else if (!p.started && !this.closing) p.reject(new PilotLostError(err.message));
        else p.reject(err);
      }
    }
    this.opts.onExit?.(this);
  }
}
