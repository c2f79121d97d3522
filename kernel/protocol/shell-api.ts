// What the protocol layer needs from the shell: nothing else of it (ipykernel's Kernel/shell split).
import type { Message } from './wire';

export interface ExecuteReply {
  status: 'ok' | 'error';
  execution_count: number;
  [k: string]: unknown;
}

export interface Shell {
  /** The execution counter, for replies to aborted requests. */
  readonly executionCount: number;
  /** Shared with the control thread and the SIGINT holder (realm/vm-state.ts layout). */
  readonly interruptState: Int32Array;
  execute(request: Message): Promise<ExecuteReply>;
  complete(code: string, cursor: number): unknown;
  inspect(code: string, cursor: number, detail: number): unknown;
  isComplete(code: string): unknown;
  history(content: Record<string, any>): unknown[];
  /** An interrupt for cell `epoch` (undefined: whatever runs now). */
  interrupt(how: string, epoch?: number): void;
  /** Called once an interrupt has reached its cell. */
  onInterrupted(callback: () => void): void;
  /** Stops the session's work (tasks, processes, jobs) within about `ms`. */
  stop(ms: number): Promise<void>;
}
