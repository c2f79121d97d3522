/**
 * An executable task as its own srun: its own job ('srun' mode) or its own step in the pilot's allocation
 * (a task with `taskDescription.slurm` options). bash runs directly under srun, no Node agent: a per-task
 * agent cost ~4x throughput in srun mode (0.7 vs 2.7 tasks/s at 2 at once), because every job held its CPU
 * longer and the next one missed the scheduler's pass. A first stderr line from a wrapper pushes the start
 * and the job/step ids; it is stripped from the task's stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SubmitHooks } from '../backend';
import { failureReason, isSlurmLine, jobInfo, scancel } from './cli';
import { SlurmJobEndedError } from './errors';
import { ExecutableError, TaskCancelledError } from '../../engine/errors';

const MARK = '\x1eflowbook-start';
const WRAPPER = `printf '${MARK.replace('\x1e', '\\036')} %s %s\\n' "$SLURM_JOB_ID" "$SLURM_STEP_ID" >&2; exec /bin/bash -c "$1"`;
const WRAPPER_ARGV = WRAPPER.replace('exec /bin/bash -c "$1"', 'exec "$@"');
let counter = 0;

export interface StepOptions {
  srunArgs: string[];
  ownJob: boolean;
  command: string;
  /** Exec mode: run this argv instead of `command` under bash. */
  argv?: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  hooks: SubmitHooks;
  /** For the error of a cancelled task. */
  taskName: string;
}

export class SrunCommand {
  readonly name = `flowbook-${process.pid}-s${++counter}`;
  jobId = '';
  stepId = '';
  readonly result: Promise<unknown>;
  /** Resolves with the job id once the command runs (for shutdown's squeue check). */
  readonly started: Promise<string>;
  private srun: ChildProcess;
  private cancelled = false;
  private closing = false;

  constructor(private opts: StepOptions) {
    this.srun = spawn('srun', ['-J', this.name, ...opts.srunArgs, '/bin/bash', '-c', opts.argv ? WRAPPER_ARGV : WRAPPER, 'flowbook', ...(opts.argv ?? [opts.command])], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let onStart!: (id: string) => void;
    this.started = new Promise((r) => (onStart = r));
    this.srun.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    this.srun.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (!this.jobId) {
        const m = new RegExp(`${MARK} (\\d+) (\\d*)\\n`).exec(err);
        if (m) {
          [this.jobId, this.stepId] = [m[1], m[2]];
          err = err.replace(m[0], '');
          opts.hooks.started();
          onStart(this.jobId);
        }
      }
    });
    this.result = new Promise((resolve, reject) => {
      this.srun.on('error', (e) => reject(new Error(`cannot run srun: ${e.message}`)));
      this.srun.on('close', (code, signal) => {
        if (code === 0) return resolve(out.trim());
        this.failure(code, signal, err).then(reject, reject);
      });
    });
    this.result.catch(() => {});
  }

  /** SLURM id to scancel: the whole job in srun mode, only this step inside a pilot. */
  get target(): string {
    return this.opts.ownJob ? this.jobId : `${this.jobId}.${this.stepId}`;
  }

  async cancel(): Promise<boolean> {
    this.cancelled = true;
    await this.stop();
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.stop();
    await this.result.catch(() => {});
  }

  private async stop(): Promise<void> {
    if (this.srun.exitCode !== null || this.srun.signalCode !== null) return;
    if (this.jobId) await scancel(this.target);
    else if (this.opts.ownJob) await scancel(`--name=${this.name}`); // still pending: no id yet
    this.srun.kill('SIGTERM');
  }

  private async failure(code: number | null, signal: string | null, stderr: string): Promise<Error> {
    if (this.cancelled) return new TaskCancelledError(this.opts.taskName);
    const label = this.jobId ? `${this.opts.ownJob ? 'job' : 'step'} ${this.target}` : `job ${this.name} (not started)`;
    if (this.closing) return new TaskCancelledError(this.opts.taskName, `cancelled: the SLURM backend shut down (${label} cancelled)`);
    const own = stderr.split('\n').filter((l) => l && !isSlurmLine(l));
    const info = this.jobId && this.opts.ownJob ? await jobInfo(this.jobId) : undefined;
    const slurmKilled = /CANCELLED|DUE TO TIME LIMIT|NODE FAILURE|Force Terminated/.test(stderr) ||
      ['CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE'].includes(info?.state ?? '');
    if (slurmKilled || !this.jobId) {
      const reason = (await failureReason(this.jobId || undefined, stderr)) || `srun exited (${signal ?? `code ${code}`})`;
      return new SlurmJobEndedError(this.opts.taskName, label, reason);
    }
    // The same class and fields as the pilot's and the local backend's (it was a plain Error with fields).
    const command = this.opts.argv ? this.opts.argv.join(' ') : this.opts.command;
    return new ExecutableError(this.opts.taskName, command, code, own.join('\n') + (own.length ? '\n' : ''), signal);
  }
}
