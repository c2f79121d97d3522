// Output of one cell, bound to its parent header: the kernel's DisplaySink. Streams are coalesced per tick so a
// print loop does not become one message per line; any other message flushes them first (keeps order).
import type { DisplaySink, MimeBundle } from '../extension/display';
import type { Header } from './wire';

export type Publish = (msgType: string, content: unknown, parent: Partial<Header>) => void;

const FLUSH_BYTES = 64 * 1024;

export class CellOutput implements DisplaySink {
  private buf: { name: 'stdout' | 'stderr'; text: string } | null = null;
  private scheduled = false;
  /** execute_reply payloads (the pager). */
  readonly payload: unknown[] = [];

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
    if (this.buf.text.length > FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const b = this.buf;
    this.buf = null;
    if (b) this.publish('stream', b, this.parent);
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
