// The shell the protocol layer talks to (protocol/shell-api.ts): the executor and the language features.
import type { Message } from '../protocol/wire';
import type { Shell } from '../protocol/shell-api';
import type { Stdin } from '../protocol/stdin';
import { Executor, type ShellParts } from './execute';
import type { Publish } from './output';
import { complete } from './complete';
import { inspectAt } from './inspect';
import { isComplete } from './is-complete';
import { isThenable } from '../../extension/engine/realm';

export class NotebookShell implements Shell {
  readonly executor: Executor;

  constructor(publish: Publish, stdin: Stdin, parts: ShellParts = {}) {
    this.executor = new Executor(publish, stdin, parts);
  }

  get executionCount(): number {
    return this.executor.count;
  }

  get interruptState(): Int32Array {
    return this.executor.runtime.vmState;
  }

  execute(request: Message) {
    return this.executor.execute(request);
  }

  complete(code: string, cursor: number) {
    return complete(this.executor, code, cursor);
  }

  inspect(code: string, cursor: number, detail: number) {
    return inspectAt(this.executor, code, cursor, detail);
  }

  isComplete(code: string) {
    return isComplete(code);
  }

  history(content: Record<string, any>) {
    return this.executor.history(content);
  }

  interrupt(how: string, epoch?: number): void {
    this.executor.runtime.interruptRunning(how, epoch);
  }

  onInterrupted(callback: () => void): void {
    this.executor.runtime.onInterrupted = callback;
  }

  stop(ms: number): Promise<void> {
    return this.executor.stopWorkflows(ms);
  }

  /**
   * The engine's calls of user functions (extension/host.ts): inside a breakable run, and a user promise comes
   * back as a host promise. Host code awaiting the realm's promise directly would queue its continuation in the
   * realm's microtask queue, which only our runs drain; calling its `then` here puts our handlers' jobs in the
   * host's queue.
   */
  callUser(fn: (...args: any[]) => unknown, args: unknown[]): unknown {
    const r = this.executor.runtime.invoke(fn, undefined, args);
    if (!isThenable(r) || r instanceof Promise) return r;
    return new Promise((resolve, reject) => r.then(resolve, reject));
  }
}
