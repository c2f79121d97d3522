/**
 * The engine's error family: every failure the engine or a backend produces is a TaskError subclass, and every
 * message names the task, so a failure in a large workflow points at its origin. (What a task itself throws
 * reaches its future unchanged; wire-errors.ts carries it across threads, processes and the network.)
 */
import { errorMessage } from './realm';

export class TaskError extends Error {
  override name = 'TaskError';
  constructor(
    readonly taskName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A dependency failed or was cancelled; `cause` is that dependency's error (its own cause chain continues). */
export class DependencyFailureError extends TaskError {
  override name = 'DependencyFailureError';
  constructor(
    taskName: string,
    readonly dependencyName: string,
    readonly dependencyId: string,
    cause: unknown,
  ) {
    const why = errorMessage(cause);
    super(taskName, `task '${taskName}' cannot run: its dependency '${dependencyName}' (${dependencyId}) failed: ${why}`, { cause });
  }
}

export class TaskCancelledError extends TaskError {
  override name = 'TaskCancelledError';
  constructor(taskName: string, reason = 'cancelled') {
    super(taskName, `task '${taskName}' was ${reason}`);
  }
}

export class TaskTimeoutError extends TaskError {
  override name = 'TaskTimeoutError';
  constructor(
    taskName: string,
    readonly timeoutMs: number,
  ) {
    super(taskName, `task '${taskName}' timed out after ${timeoutMs} ms`);
  }
}

export class EngineShutdownError extends TaskError {
  override name = 'EngineShutdownError';
  constructor(taskName: string) {
    super(taskName, `task '${taskName}' was called after the workflow engine shut down`);
  }
}

/** Bad input detected by the engine: not a function, a non-string command, an unknown backend name. */
export class InvalidTaskError extends TaskError {
  override name = 'InvalidTaskError';
}

/** An executable exited with a nonzero code (or was killed by a signal). */
export class ExecutableError extends TaskError {
  override name = 'ExecutableError';
  constructor(
    taskName: string,
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly signal: string | null = null,
  ) {
    // Neither code nor signal: the shell never started (e.g. a missing cwd).
    const how = exitCode !== null ? `exited with code ${exitCode}` : signal ? `was killed by ${signal}` : 'could not start';
    const tail = stderr.trim() ? `: ${stderr.trim().slice(-500)}` : '';
    super(taskName, `task '${taskName}' command \`${command}\` ${how}${tail}`);
  }
}

/** The thread or process running the task died; the pool replaced it. */
export class WorkerCrashError extends TaskError {
  override name = 'WorkerCrashError';
}

/** The task's function cannot run on another thread, process or node (native, a class, unparsable). */
export class NotPortableError extends TaskError {
  override name = 'NotPortableError';
}

/** A shipped function reads variables of its enclosing scope; `advice` says what to do for each kind. */
export class ClosureError extends NotPortableError {
  override name = 'ClosureError';
  constructor(
    taskName: string,
    readonly captured: string[],
    advice?: string,
  ) {
    const list = captured.map((v) => `'${v}'`).join(', ');
    const plural = captured.length > 1 ? 'them as arguments' : 'it as an argument';
    super(taskName, `task '${taskName}' uses ${list} from its enclosing scope; ${advice ?? `pass ${plural}`}`);
  }
}

/** An argument cannot be structured-cloned to a worker (a function, a socket, ...). */
export class ArgumentCloneError extends TaskError {
  override name = 'ArgumentCloneError';
}

/** A task threw something that is not an Error and cannot cross to this thread as it is (a symbol, a Proxy). */
export class ThrownValueError extends TaskError {
  override name = 'ThrownValueError';
}

/** The user interrupted the run (the kernel's interrupt): one class for the engine, magics and kernel. */
export class KeyboardInterrupt extends Error {
  override name = 'KeyboardInterrupt';
  /** @param endedCell the same interrupt already ended the running cell, which reported it */
  constructor(readonly endedCell = false) {
    super('interrupted by the user');
  }
}
