/**
 * The worker side of a pool, shared by thread and process workers: runs the tasks it is sent, in order, with
 * up to `concurrency` async bodies in flight, and reports each task's life (protocol.ts).
 *
 * Reporting rules, each forced by a failure:
 * - The host must know exactly which tasks started when it kills a worker: it re-runs the others, so a wrong
 *   belief would run a task twice. Threads claim each task in shared memory before its body (the host
 *   revokes by the same compare-and-swap); processes send each `started` before the body.
 * - Events are bundled: one message per task halves the tiny-task throughput of the thread pool. A bundle
 *   goes out before a body starts unless that function's last run was fast (FAST_MS) and the last bundle left
 *   less than FLUSH_MS ago; also when a batch ends, after async settlements, and before process.exit. Results
 *   of finished tasks thus reach the host before a body that could take the worker down (an out-of-memory task
 *   killed the thread with its neighbours' results unsent). The gap left: a function that is fast and then
 *   kills its worker by running out of memory loses the results of at most FLUSH_MS of work before it.
 * - What a task writes to stdout/stderr is attributed to it through AsyncLocalStorage (also after awaits).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FromWorker, ToWorker, WorkerEvent } from './protocol';
import type { SourceOrigin } from '../../host';

interface Queued {
  id: string;
  name: string;
  source: string;
  origin: SourceOrigin | null;
  args: unknown[];
  seq: number;
  report: boolean;
}
import { reviveFunction } from '../portable';
import { toWire } from '../../engine/wire-errors';
import { isThenable } from '../../engine/realm';

const FLUSH_MS = 0.5;
/** A source whose last run took less than this is "fast": its results may wait for the next bundle. */
const FAST_MS = 0.2;
/** Output bytes held before a bundle goes out regardless (a task printing in a tight loop). */
const OUTPUT_FLUSH_BYTES = 64 * 1024;

export interface WorkerIO {
  /** Sends one message; throws when a value in it cannot be serialized. */
  post(msg: FromWorker): void;
  /**
   * Threads: claims the task's slot in shared memory before its body starts; false when the pool revoked
   * it first (the task is skipped, never started).
   */
  claim?(seq: number): boolean;
  /** Processes: every `started` goes out before its body (a killed process cannot tell what it started). */
  reportStarts?: boolean;
}

export class WorkerRuntime {
  private readonly queue: Queued[] = [];
  private outbox: WorkerEvent[] = [];
  private outputBytes = 0;
  private lastFlush = 0;
  private flushQueued = false;
  private active = 0;
  private readonly current = new AsyncLocalStorage<string>();
  /** Last run time of each source, ms (a source is one task function). */
  private readonly lastRun = new Map<string, number>();

  constructor(
    private readonly io: WorkerIO,
    private readonly concurrency: number,
  ) {}

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'run':
      {
        const b = msg.batch;
        const report = new Set(b.report);
        for (let i = 0; i < b.ids.length; i++) {
          const k = b.source[i];
          this.queue.push({ id: b.ids[i], name: b.names[k], source: b.sources[k], origin: b.origins[k], args: b.args[i], seq: b.seq + i, report: report.has(i) });
        }
      }
        this.pump();
        this.flush();
        return;
      case 'revoke': {
        const i = this.queue.findIndex((q) => q.id === msg.id);
        if (i >= 0) this.outbox.push({ type: 'revoked', id: this.queue.splice(i, 1)[0].id });
        this.flush();
        return;
      }
      case 'ping':
        this.flush();
        this.io.post({ type: 'pong', n: msg.n });
        return;
    }
  }

  /** The task whose code is running now (null outside any task). */
  currentTask(): string | null {
    return this.current.getStore() ?? null;
  }

  /** Output written by the worker's code: attributed to the current task. */
  output(stream: 'stdout' | 'stderr', text: string): void {
    this.outbox.push({ type: 'output', id: this.currentTask(), stream, text });
    this.outputBytes += text.length;
    if (this.outputBytes > OUTPUT_FLUSH_BYTES || performance.now() - this.lastFlush > 50) this.flush();
    else this.flushSoon();
  }

  private pump(): void {
    while (this.queue.length && this.active < this.concurrency) this.start(this.queue.shift()!);
  }

  private start(t: Queued): void {
    if (this.io.claim && !this.io.claim(t.seq)) return void this.outbox.push({ type: 'revoked', id: t.id });
    const now = performance.now();
    this.outbox.push({ type: 'started', id: t.id, t: now });
    const last = this.lastRun.get(t.source);
    const fast = last !== undefined && last < FAST_MS;
    if (t.report || this.io.reportStarts || !fast || now - this.lastFlush > FLUSH_MS) this.flush();
    let result: unknown;
    try {
      result = this.current.run(t.id, () => reviveFunction(t.source, t.name, t.origin ?? undefined)(...t.args));
    } catch (err) {
      return this.failed(t.id, err);
    }
    if (!isThenable(result)) {
      if (this.lastRun.size > 1000) this.lastRun.clear();
      this.lastRun.set(t.source, performance.now() - now);
      const last = this.outbox[this.outbox.length - 1];
      if (last?.type === 'started' && last.id === t.id) {
        this.outbox[this.outbox.length - 1] = { type: 'ran', id: t.id, t0: last.t, t: performance.now(), ok: true, value: result };
        return;
      }
      return this.succeeded(t.id, result);
    }
    this.active++;
    this.outbox.push({ type: 'yielded', id: t.id });
    Promise.resolve(result).then(
      (v) => this.settledAsync(() => this.succeeded(t.id, v)),
      (e) => this.settledAsync(() => this.failed(t.id, e)),
    );
  }

  private settledAsync(record: () => void): void {
    this.active--;
    record();
    this.pump();
    this.flushSoon();
  }

  private succeeded(id: string, value: unknown): void {
    this.outbox.push({ type: 'done', id, t: performance.now(), ok: true, value });
  }

  private failed(id: string, err: unknown): void {
    this.outbox.push({ type: 'done', id, t: performance.now(), ok: false, error: toWire(err) });
  }

  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  flush(): void {
    if (!this.outbox.length) return;
    const events = this.outbox;
    this.outbox = [];
    this.outputBytes = 0;
    this.lastFlush = performance.now();
    try {
      this.io.post({ type: 'events', events });
    } catch {
      // Some value cannot be serialized: send the events one by one, replacing the culprits by failures.
      for (const e of events) this.postOne(e);
    }
  }

  private postOne(e: WorkerEvent): void {
    try {
      this.io.post({ type: 'events', events: [e] });
    } catch (err) {
      if (e.type !== 'done' && e.type !== 'ran') return; // output and markers hold only strings and numbers
      if (e.type === 'ran') this.io.post({ type: 'events', events: [{ type: 'started', id: e.id, t: e.t0 }] });
      const why = err instanceof Error ? err.message : String(err);
      const error = toWire(Object.assign(new Error(`its result could not be sent back from the worker (${why})`), { name: 'ResultCloneError' }));
      this.io.post({ type: 'events', events: [{ type: 'done', id: e.id, t: e.t, ok: false, error }] });
    }
  }
}

/** Routes the worker's own process.stdout/stderr writes (console included) into `rt.output`. */
export function captureOutput(rt: WorkerRuntime): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    target.write = ((chunk: unknown, enc?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      rt.output(stream, text);
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof target.write;
  }
}

/**
 * A task that calls process.exit, or throws from a timer, ends the worker: first send what is done (results of
 * tasks that finished moments before would otherwise be lost, and those tasks failed as if they had crashed).
 */
export function flushBeforeExit(rt: WorkerRuntime): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number) => {
    rt.flush();
    return exit(code);
  }) as typeof process.exit;
  process.on('uncaughtException', (err) => {
    const text = err instanceof Error ? err.stack ?? err.message : String(err);
    rt.output('stderr', `uncaught exception in the worker: ${text}\n`);
    rt.flush();
    exit(1);
  });
}
