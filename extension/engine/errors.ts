/** Engine errors. Every message names the task, so a failure in a large workflow points at its origin. */
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
