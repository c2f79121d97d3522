/**
 * Children that die with the kernel. A detached child (its own process group, so cancel can kill its tree)
 * outlives a parent that is SIGKILLed, aborted or `process.exit()`ed: it is reparented to init and runs on.
 * Linux's parent-death signal ends it instead; util-linux's `setpriv --pdeathsig KILL` sets it and then execs
 * the program, so the child's pid, group and pipes stay the same. Without setpriv (not Linux), children are
 * spawned as they are. A detached child's group is also given to the reaper (reaper.ts), which kills the whole
 * group, grandchildren included, when this process dies.
 */
import { spawn, fork, type ChildProcess, type SpawnOptions, type ForkOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { guardGroup, haveReaper, releaseGroup } from './reaper';

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];
let setpriv: string | null | undefined;

/** The setpriv binary, or null when there is none (looked up once). */
export function setprivPath(): string | null {
  if (setpriv === undefined) {
    setpriv = process.platform === 'linux' && !process.env.FLOWBOOK_NO_PDEATHSIG
      ? SETPRIV_PATHS.find((p) => fs.existsSync(p)) ?? null
      : null;
  }
  return setpriv;
}

const TIE = ['--pdeathsig', 'KILL'];

function guarded(child: ChildProcess, opts: { detached?: boolean }): ChildProcess {
  if (opts.detached && child.pid !== undefined) {
    const pgid = child.pid;
    guardGroup(pgid);
    child.once('close', () => releaseGroup(pgid));
  }
  return child;
}

/**
 * spawn(), with the child (and, when detached, its group) killed when this process dies. A detached child needs
 * only the reaper, which kills its whole group; setpriv (an extra exec, 30% of a `true`'s spawn) is for the rest.
 */
export function spawnTied(file: string, args: readonly string[], opts: SpawnOptions): ChildProcess {
  const sp = opts.detached && haveReaper() ? null : setprivPath();
  return guarded(sp ? spawn(sp, [...TIE, file, ...args], opts) : spawn(file, args, opts), opts);
}

/** fork() of a node module, with the child killed when this process dies. */
export function forkTied(modulePath: string, args: readonly string[], opts: ForkOptions): ChildProcess {
  const sp = setprivPath();
  if (!sp) return guarded(fork(modulePath, args, opts), opts);
  const execArgv = [...TIE, opts.execPath ?? process.execPath, ...(opts.execArgv ?? process.execArgv)];
  return guarded(fork(modulePath, args, { ...opts, execPath: sp, execArgv }), opts);
}
