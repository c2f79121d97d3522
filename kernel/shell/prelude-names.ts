// The names every cell finds in scope (shell/prelude.ts), apart from the package: main.ts hands them to the
// language worker before the engine and TypeScript are loaded on this thread.
export const PRELUDE = [
  'WorkflowEngine', 'TaskFuture',
  'TaskError', 'DependencyFailureError', 'TaskCancelledError', 'TaskTimeoutError', 'EngineShutdownError',
  'InvalidTaskError', 'ExecutableError', 'WorkerCrashError', 'NotPortableError',
  'ConcurrentExecutionBackend', 'LocalExecutionBackend', 'ThreadPoolExecutor', 'ProcessPoolExecutor',
  'NoopExecutionBackend', 'SlurmExecutionBackend',
  'plot', 'TaskTimeline', 'LiveTable',
];
