/**
 * 'sbatch' mode: one batch job per task, for sites without interactive srun. The job script touches files in a
 * per-task directory (started, rc) and we watch that directory (inotify), so start and end are pushed; the
 * `sbatch --wait` process only serves as a fallback for jobs killed before they could write `rc`
 * (scancel, time limit, node failure). The directory must be visible from the compute node (shared tmp).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SubmitHooks, TaskSpec } from '../backend';
import { failureReason, scancel } from './cli';
import { SlurmJobEndedError } from './errors';
import { fromWire } from '../../engine/wire-errors';
import { agentScript } from './pilot';
import { decodeValue, type AgentJob } from './protocol';
import { ExecutableError, TaskCancelledError, WorkerCrashError } from '../../engine/errors';
import { ndjson, readNdjson } from '../proc/ndjson';

export interface SbatchRun {
  submitted: Promise<string>;
  result: Promise<unknown>;
  cancel(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export function runSbatch(task: TaskSpec, job: AgentJob, args: Buffer | undefined, sbatchArgs: string[], hooks: SubmitHooks): SbatchRun {
  const dir = fs.mkdtempSync(path.join(process.env.FLOWBOOK_SLURM_DIR ?? os.tmpdir(), 'flowbook-sbatch-'));
  const f = (n: string) => path.join(dir, n);
  let body: string;
  if (job.type === 'exec') {
    fs.writeFileSync(f('cmd'), job.argv ? job.argv.map(q).join(' ') : job.command);
    body = `bash ${q(f('cmd'))} > ${q(f('out'))} 2> ${q(f('err'))}`;
  } else {
    // The agent with one slot answers in v8 form, like the pilot, so values survive as on the thread pool.
    fs.writeFileSync(f('req'), ndjson({ job, args: args?.toString('base64') }));
    body = `${q(process.execPath)} ${q(agentScript())} --slots 1 --once < ${q(f('req'))} > ${q(f('out'))} 2> ${q(f('err'))}`;
  }
  const script = [
    '#!/bin/bash',
    `echo "$SLURM_JOB_ID" > ${q(f('started.tmp'))} && mv ${q(f('started.tmp'))} ${q(f('started'))}`,
    `${body}; rc=$?`,
    `echo $rc > ${q(f('rc.tmp'))} && mv ${q(f('rc.tmp'))} ${q(f('rc'))}`,
    'exit $rc',
  ].join('\n');
  fs.writeFileSync(f('job.sh'), script);

  let jobId = '';
  let cancelled = false;
  let sbatchErr = '';
  const child = spawn('sbatch', ['--parsable', '--wait', `--chdir=${job.cwd}`, '-o', '/dev/null', '-J', `flowbook-${task.id}`, ...sbatchArgs, f('job.sh')], {
    env: { ...process.env, ...task.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const submitted = new Promise<string>((res, rej) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (!jobId && d.trim()) res((jobId = d.trim().split(/[;\n]/)[0]));
    });
    child.on('exit', () => rej(new Error(`sbatch failed: ${sbatchErr.trim()}`)));
  });
  submitted.catch(() => {});
  child.stderr.setEncoding('utf8').on('data', (d: string) => (sbatchErr += d));

  const result = new Promise<unknown>((resolve, reject) => {
    let finished = false;
    const read = (n: string) => (fs.existsSync(f(n)) ? fs.readFileSync(f(n), 'utf8') : '');
    const finish = async (fallback: boolean) => {
      if (finished) return;
      const rcText = read('rc').trim();
      if (!rcText && !fallback) return;
      finished = true;
      watcher.close();
      // The script wrote rc and is exiting: the `sbatch --wait` fallback (it polls) is no longer needed.
      // SIGKILL, because sbatch could treat a catchable signal as a reason to cancel the job.
      if (!fallback) child.kill('SIGKILL');
      try {
        if (cancelled) throw new TaskCancelledError(task.name);
        const err = read('err');
        if (!rcText) throw new SlurmJobEndedError(task.name, `job ${jobId || '?'}`, (await failureReason(jobId, sbatchErr)) || sbatchErr.trim() || 'no reason');
        if (job.type === 'exec') {
          if (rcText !== '0') throw new ExecutableError(task.name, job.argv ? job.argv.join(' ') : job.command, Number(rcText), err);
          return resolve(read('out').trim());
        }
        const msg = (readNdjson(read('out')) as any[]).find((m) => m?.type === 'done');
        if (!msg) throw new WorkerCrashError(task.name, `task '${task.name}': the function worker gave no answer (exit ${rcText}): ${err.trim()}`);
        if (msg.ok) resolve(decodeValue(msg.value ? Buffer.from(msg.value, 'base64') : undefined));
        else reject(fromWire(msg.error, task.name) as Error);
      } catch (e) {
        reject(e as Error);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    const watcher = fs.watch(dir, (_ev, name) => {
      if (name === 'started') hooks.started();
      else if (name === 'rc') void finish(false);
    });
    child.on('exit', () => void finish(true));
  });

  const cancel = async () => {
    cancelled = true;
    if (jobId || (await submitted.catch(() => ''))) await scancel(jobId);
    return true;
  };
  return {
    submitted,
    result,
    cancel,
    close: async () => {
      await cancel();
      await result.catch(() => {});
    },
  };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
