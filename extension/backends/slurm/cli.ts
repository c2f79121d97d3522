/** Thin wrappers around SLURM's command-line tools (scontrol, scancel), shared by every SLURM mode. */
import { execFile } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a SLURM command; never throws for a nonzero exit (callers read `code`), only reports ENOENT clearly. */
export function slurmCmd(cmd: string, args: string[], timeoutMs = 15000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8', env: process.env }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && e.code === 'ENOENT') {
        reject(new Error(`SLURM: '${cmd}' is not installed or not on PATH (install slurm-wlm, then run scripts/slurm/start.sh)`));
        return;
      }
      const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
  });
}

/** Fails at once (scontrol ping answers in ms even when slurmctld is down) with how to start SLURM. */
export async function checkController(partition?: string): Promise<void> {
  const ping = await slurmCmd('scontrol', ['ping'], 10000);
  if (ping.code !== 0 || !/is UP/.test(ping.stdout)) {
    const conf = process.env.SLURM_CONF ? ` (SLURM_CONF=${process.env.SLURM_CONF})` : '';
    throw new Error(
      `SLURM: slurmctld is not reachable${conf}: ${firstLine(ping.stdout || ping.stderr) || 'no answer'}. ` +
        `Start it with scripts/slurm/start.sh (as root), then check with 'sinfo'.`,
    );
  }
  if (partition) {
    const p = await slurmCmd('scontrol', ['show', 'partition', partition, '-o']);
    if (p.code !== 0 || !p.stdout.includes(`PartitionName=${partition}`)) {
      const known = await listPartitions();
      throw new Error(`SLURM: unknown partition '${partition}'; known partitions: ${known.join(', ') || '(none)'}`);
    }
  }
}

export async function listPartitions(): Promise<string[]> {
  const r = await slurmCmd('sinfo', ['-h', '-o', '%R']);
  return r.code === 0 ? [...new Set(r.stdout.split('\n').map((s) => s.trim()).filter(Boolean))] : [];
}

/** `scancel` exactly one job ("123") or step ("123.4"). Returns whether scancel accepted it. */
export async function scancel(id: string, signal?: string): Promise<boolean> {
  const args = signal ? ['--signal', signal, id] : [id];
  const r = await slurmCmd('scancel', args);
  return r.code === 0;
}

export interface JobInfo {
  state: string;
  reason: string;
  exitCode: string;
}

/** State and reason of a job, from `scontrol show job` (accounting is off here, so no sacct). */
export async function jobInfo(jobId: string): Promise<JobInfo | undefined> {
  const r = await slurmCmd('scontrol', ['show', 'job', jobId, '-o']);
  if (r.code !== 0) return undefined;
  const field = (k: string) => new RegExp(`\\b${k}=(\\S+)`).exec(r.stdout)?.[1] ?? '';
  return { state: field('JobState'), reason: field('Reason'), exitCode: field('ExitCode') };
}

/** A one-line reason for a failed job or step: SLURM's own error lines from srun plus the job state. */
export async function failureReason(jobId: string | undefined, srunStderr: string): Promise<string> {
  const slurmLines = srunStderr
    .split('\n')
    .filter((l) => /^srun: (error|Job step aborted|Force Terminated)|\*\*\* (JOB|STEP) .* CANCELLED|DUE TO (TIME LIMIT|NODE FAILURE)/.test(l))
    .map((l) => l.trim());
  const parts: string[] = [];
  if (jobId) {
    let info = await jobInfo(jobId.split('.')[0]);
    // A cancelled job shows COMPLETING while its processes are killed; its final state follows within moments.
    for (let i = 0; i < 30 && info?.state === 'COMPLETING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = await jobInfo(jobId.split('.')[0]);
    }
    if (info && info.state && info.state !== 'COMPLETED' && info.state !== 'RUNNING') {
      parts.push(`job ${jobId} ${info.state}${info.reason && info.reason !== 'None' ? ` (reason: ${info.reason})` : ''}`);
    }
  }
  parts.push(...new Set(slurmLines)); // srun repeats "Node failure on node2" once per task of the step
  return parts.join('; ');
}

/** A message from srun or slurmstepd itself (not the task's own stderr). */
export const isSlurmLine = (line: string): boolean => /^(srun|slurmstepd[-\w]*): /.test(line);

export const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';
