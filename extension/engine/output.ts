/**
 * Worker output to the cell that started the task. The engine captures the async context (AsyncLocalStorage
 * snapshot) when a pool task is called, which is inside the cell, and writes the task's output through it:
 * the kernel routes process.stdout/stderr writes by that context, so the text lands in the right cell without
 * the extension knowing the kernel. Lines are tagged `[task.3] ` while several tasks run at once, so that
 * interleaved output stays readable; partial lines wait for their newline (or the task's end).
 */
import { AsyncResource } from 'node:async_hooks';
import { flowContext } from './context';

export type Stream = 'stdout' | 'stderr';

/**
 * One captured context per engine context store: every task a cell creates shares its cell's. Capturing per
 * task (AsyncLocalStorage.snapshot) cost more than the rest of a thread task's overhead together.
 */
let lastStore: object | undefined | null = null;
let lastContext: AsyncResource | null = null;

function callerContext(): AsyncResource {
  const store = flowContext.getStore();
  if (lastContext === null || store !== lastStore) {
    lastStore = store;
    lastContext = new AsyncResource('flowbook.output', { requireManualDestroy: true });
  }
  return lastContext;
}

export class TaskOutput {
  private partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private readonly context: AsyncResource;

  constructor(private readonly label: string) {
    this.context = callerContext();
  }

  write(stream: Stream, text: string, tagged: boolean): void {
    const all = this.partial[stream] + text;
    const cut = all.lastIndexOf('\n') + 1;
    this.partial[stream] = all.slice(cut);
    if (cut > 0) this.emit(stream, all.slice(0, cut), tagged);
  }

  /** The task settled: what is left of a line goes out, with a newline. */
  flush(tagged: boolean): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream];
      this.partial[stream] = '';
      if (rest) this.emit(stream, rest + '\n', tagged);
    }
  }

  private emit(stream: Stream, lines: string, tagged: boolean): void {
    const text = tagged ? lines.replace(/^(?=.)/gm, `[${this.label}] `) : lines;
    try {
      this.context.runInAsyncScope(() => process[stream].write(text));
    } catch {
      // a closed stream: the output has nowhere to go
    }
  }
}
