/**
 * Stopping a child and everything it started: SIGTERM to its process group, SIGKILL to the group after a grace
 * period if it has not exited. The one copy for executables, pool workers and the SLURM agent.
 */
import type { ChildProcess } from 'node:child_process';

/** Signals the process group led by `pid` (children are spawned detached, so each leads its own group). */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone. Fall back to the process alone, in case it never led a group.
    try {
      process.kill(pid, signal);
    } catch {
      // gone too
    }
  }
}

export interface KillOptions {
  /** ms between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Signal the whole process group (default true): a detached child's descendants die with it. */
  group?: boolean;
}

/**
 * SIGTERM now, SIGKILL after `graceMs`; resolves when the child has exited. A child that already exited
 * still gets its group killed (descendants may hold its pipes).
 */
export function killTree(child: ChildProcess, opts: KillOptions): Promise<void> {
  const group = opts.group ?? true;
  const send = (sig: NodeJS.Signals) => (group ? signalGroup(child.pid, sig) : void child.kill(sig));
  const exited = child.exitCode !== null || child.signalCode !== null;
  if (exited) {
    if (group) signalGroup(child.pid, 'SIGKILL');
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => send('SIGKILL'), opts.graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      if (group) signalGroup(child.pid, 'SIGKILL');
      resolve();
    });
    send('SIGTERM');
  });
}
