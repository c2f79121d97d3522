// Dispatch: a table by msg_type, and one wrapper that sends busy/idle around each request and logs a failing
// handler (ipykernel's kernelbase.py does the same). Shell requests run one at a time, in order. Control requests
// are never queued behind a running cell (jupyter_client's shutdown waits for its reply): they are handled as
// soon as this thread is free. After a failed cell with stop_on_error, what the client had already sent is
// aborted, not what it sends after the reply. No sockets here, so it is tested without zeromq.
import type { Header, Message } from './wire';
import type { Shell } from './shell-api';
import { log, logDebug } from '../log';

export type Channel = 'shell' | 'control';
type Handler = (msg: Message, channel: Channel, seq: number) => unknown;
const ANSWERED_ASIDE = new Set(['complete_request', 'inspect_request']);

export interface DispatchIo {
  reply(request: Message, channel: Channel, content: unknown): void;
  publish(msgType: string, content: unknown, parent: Partial<Header>): void;
  kernelInfo(): unknown;
  shutdown(): Promise<void>;
}

export class Dispatcher {
  private readonly queue: { msg: Message; seq: number }[] = [];
  private processing = false;
  /** Messages accepted so far, and the last of them to abort after an error (stop_on_error). */
  private received = 0;
  private abortThrough = 0;

  /** `shell`: the shell, loaded on first call (kernel_info and the other requests below never need it). */
  constructor(shell: Shell | (() => Shell), private readonly io: DispatchIo) {
    this.getShell = typeof shell === 'function' ? shell : () => shell;
  }

  private readonly getShell: () => Shell;
  private get shell(): Shell {
    return this.getShell();
  }

  private readonly handlers: Record<string, Handler> = {
    kernel_info_request: () => this.io.kernelInfo(),
    execute_request: (msg, _channel, seq) => this.execute(msg, seq),
    complete_request: ({ content: c }) => this.shell.complete(String(c.code ?? ''), Number(c.cursor_pos ?? 0)),
    inspect_request: ({ content: c }) => this.shell.inspect(String(c.code ?? ''), Number(c.cursor_pos ?? 0), Number(c.detail_level ?? 0)),
    is_complete_request: ({ content: c }) => this.shell.isComplete(String(c.code ?? '')),
    comm_info_request: () => ({ status: 'ok', comms: {} }),
    history_request: ({ content }) => ({ status: 'ok', history: this.shell.history(content) }),
    shutdown_request: ({ content }) => ({ status: 'ok', restart: !!content.restart }),
    interrupt_request: () => { // normally answered by the control thread; here if sent on shell
      this.shell.interrupt('shell message');
      return { status: 'ok' };
    },
    debug_request: () => ({}),
  };

  accept(msg: Message, channel: Channel): void {
    const seq = ++this.received;
    if (channel === 'control') void this.handle(msg, channel, seq);
    else {
      this.queue.push({ msg, seq });
      void this.pump();
    }
  }

  /** Resolves when every queued shell request has been handled. */
  async drained(): Promise<void> {
    while (this.processing || this.queue.length) await new Promise((r) => setTimeout(r, 1));
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    while (this.queue.length) {
      const { msg, seq } = this.queue.shift()!;
      // complete/inspect are answered by the language worker: the queue goes on meanwhile.
      if (ANSWERED_ASIDE.has(msg.header.msg_type)) void this.handle(msg, 'shell', seq);
      else await this.handle(msg, 'shell', seq);
      if (!this.queue.length) await new Promise((r) => setImmediate(r));
    }
    this.processing = false;
  }

  /** The one wrapper: busy, the handler, its reply, idle; a handler that throws is logged, never fatal. */
  private async handle(msg: Message, channel: Channel, seq: number): Promise<void> {
    const type = msg.header.msg_type;
    logDebug('recv', channel, type);
    const handler = Object.hasOwn(this.handlers, type) ? this.handlers[type] : undefined;
    if (!handler) {
      log(`ignoring unknown message type ${JSON.stringify(type).slice(0, 80)} on ${channel}`);
      return;
    }
    this.io.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      this.io.reply(msg, channel, await handler(msg, channel, seq));
      if (type === 'shutdown_request') await this.io.shutdown();
    } catch (e) {
      log(`handling ${type} failed:`, (e as Error)?.stack ?? e);
    } finally {
      this.io.publish('status', { execution_state: 'idle' }, msg.header);
    }
  }

  private async execute(msg: Message, seq: number): Promise<unknown> {
    if (seq <= this.abortThrough) return { status: 'aborted', execution_count: this.shell.executionCount };
    const r = await this.shell.execute(msg);
    if (r.status === 'error' && msg.content.stop_on_error !== false) {
      // Read what the client had already sent (it is still in the socket) before fixing the boundary and
      // replying: those requests are aborted; anything sent after the client saw this reply is not.
      await new Promise((res) => setTimeout(res, 5));
      this.abortThrough = this.received;
    }
    return r;
  }
}
