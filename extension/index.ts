// flowbook's public API, importable without the kernel: require('flowbook').
export { WorkflowEngine, type EngineOptions, type TaskOptions, type TaskCall, type Futurable } from './engine/engine';
export { TaskFuture, type AttemptRecord } from './engine/future';
export { runInGroup, currentGroup } from './engine/context';
export type { TaskEvent, TaskState, TaskSlot } from './engine/events';
export {
  TaskError, DependencyFailureError, TaskCancelledError, TaskTimeoutError, EngineShutdownError, InvalidTaskError,
  ExecutableError, WorkerCrashError, ThrownValueError, KeyboardInterrupt,
} from './engine/errors';
export { toWire, fromWire, type WireError } from './engine/wire-errors';
export type { Backend, TaskSpec, SubmitHooks, StartInfo, TaskKind } from './backends/backend';
export { ConcurrentExecutionBackend, LocalExecutionBackend, type ConcurrentOptions } from './backends/concurrent';
export { ThreadPoolExecutor, ProcessPoolExecutor, WorkerPool } from './backends/pools/pool';
export type { Executor, PoolOptions } from './backends/executor';
export { NoopExecutionBackend } from './backends/noop';
export { RUNS_INLINE, runsInline } from './backends/inline';
export {
  ClosureError, ArgumentCloneError, NotPortableError, portableSource, portableFunction, reviveFunction, assertCloneable,
  type ShippedFunction,
} from './backends/portable';
export { SlurmExecutionBackend, SlurmJobEndedError, type SlurmOptions, type SlurmMode } from './backends/slurm';
export {
  plot, TaskTimeline, LiveTable, renderTable, renderSvg, ganttSpec, barsSpec, summaryTable, VEGALITE_MIME,
  type TaskRow, type VegaLiteSpec, type RunSample,
} from './report';
export type { DisplaySink, MimeBundle } from './display';
export { installHost, type FlowbookHost, type SourceOrigin } from './host';
