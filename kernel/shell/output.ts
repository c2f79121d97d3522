// Output of one cell, bound to its parent header: the kernel's DisplaySink. Streams are coalesced per tick so a
// print loop does not become one message per line; any other message flushes them first (keeps order). A write
// more than 100 ms after the last flush goes out at once, so code that prints while it holds the thread (no tick
// comes) still shows its progress live.
import type { DisplaySink, MimeBundle } from '../../extension/display';
import type { Header } from '../protocol/wire';
import type { InputContext } from '../protocol/stdin';

export type Publish = (msgType: string, content: unknown, parent: Partial<Header>) => void;

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 100;

export class CellOutput implements DisplaySink {
  private buf: { name: 'stdout' | 'stderr'; text: string } | null = null;
  private flushed = -Infinity;
  private scheduled = false;
  /** execute_reply payloads (the pager). */
  readonly payload: unknown[] = [];
  /** Set for execute requests: where prompt()/input() send their input_request. */
  input?: InputContext;

  constructor(
    private readonly publish: Publish,
    readonly parent: Partial<Header>,
    readonly executionCount: number,
  ) {}

  stdout(text: string): void {
    this.stream('stdout', text);
  }

  stderr(text: string): void {
    this.stream('stderr', text);
  }

  private stream(name: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    if (this.buf && this.buf.name !== name) this.flush();
    if (this.buf) this.buf.text += text;
    else this.buf = { name, text };
    if (this.buf.text.length > FLUSH_BYTES || performance.now() - this.flushed > FLUSH_MS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const b = this.buf;
    this.buf = null;
    if (!b) return;
    this.flushed = performance.now();
    this.publish('stream', b, this.parent);
  }

  send(msgType: string, content: unknown): void {
    this.flush();
    this.publish(msgType, content, this.parent);
  }

  display(bundle: MimeBundle, opts: { id?: string; metadata?: Record<string, unknown> } = {}): void {
    this.send('display_data', { data: bundle, metadata: opts.metadata ?? {}, transient: opts.id ? { display_id: opts.id } : {} });
  }

  update(id: string, bundle: MimeBundle, opts: { metadata?: Record<string, unknown> } = {}): void {
    this.send('update_display_data', { data: bundle, metadata: opts.metadata ?? {}, transient: { display_id: id } });
  }

  clear(wait = false): void {
    this.send('clear_output', { wait });
  }
}
