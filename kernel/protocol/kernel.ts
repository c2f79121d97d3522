// Sockets and message dispatch. Shell requests run one at a time, in order. Control requests are answered at
// once, also while a cell runs: interrupt_request on the control thread itself, the others (shutdown) here, as
// soon as this thread is free. Dispatch is a table by msg_type; one wrapper sends busy/idle and logs failures
// (ipykernel's kernelbase.py does the same).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { Stdin } from './stdin';
import { ConnectionInfo, endpoint, logDisconnects, MAX_MESSAGE_BYTES } from './connection';
import { decode, encode, Header, makeHeader, Message, PROTOCOL_VERSION, Signer, WireError } from './wire';
import type { Shell } from './shell-api';
import { FromControl, ToControl, unreachable } from './messages';
import { log, logDebug, logInfo } from '../log';

const pkg = require('../../../package.json');

type Channel = 'shell' | 'control';
type Handler = (msg: Message, channel: Channel, seq: number) => unknown;

export type Publish = (msgType: string, content: unknown, parent: Partial<Header>) => void;

export class Kernel {
  readonly session = randomUUID();
  readonly signer: Signer;
  readonly stdin: Stdin;
  private readonly shellSocket = new zmq.Router({ maxMessageSize: MAX_MESSAGE_BYTES });
  private control!: Worker;
  private readonly queue: { msg: Message; seq: number }[] = [];
  private processing = false;
  private stopping = false;
  /** Messages accepted so far, and the last of them to abort after an error (stop_on_error). */
  private received = 0;
  private abortThrough = 0;
  private shellSending: Promise<unknown> = Promise.resolve();
  private stopLogging = () => {};
  private shell!: Shell;

  constructor(private readonly conn: ConnectionInfo) {
    this.signer = new Signer(conn.key, conn.signature_scheme);
    this.stdin = new Stdin(this.signer, this.session);
  }

  private readonly handlers: Record<string, Handler> = {
    kernel_info_request: () => this.kernelInfo(),
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

  async start(shell: Shell): Promise<void> {
    this.shell = shell;
    shell.onInterrupted(() => this.toControl({ kind: 'interrupted' }));
    await Promise.all([this.shellSocket.bind(endpoint(this.conn, this.conn.shell_port)), this.startControl()]);
    this.stopLogging = logDisconnects(this.shellSocket, 'shell', logInfo);
    this.publish('status', { execution_state: 'starting' }, {});
    void this.receive();
  }

  /** The SIGINT holder heard a signal while cell `epoch` was current: the control thread decides. */
  sigintHeard(epoch: number): void {
    this.toControl({ kind: 'sigint', epoch });
  }

  private toControl(m: ToControl): void {
    this.control.postMessage(m);
  }

  private startControl(): Promise<void> {
    const vmState = this.shell.interruptState;
    this.control = new Worker(path.join(__dirname, 'control-worker.js'), {
      workerData: { conn: this.conn, session: this.session, vmState, inputPort: this.stdin.workerPort, inputFlag: this.stdin.flag },
      transferList: [this.stdin.workerPort],
    });
    this.stdin.attach(this.control);
    this.control.unref();
    return new Promise((resolve, reject) => {
      this.control.on('message', (m: FromControl) => {
        switch (m.kind) {
          case 'ready':
            return resolve();
          case 'failed':
            return reject(new Error(m.error));
          case 'control':
            return this.accept(m.frames.map((f) => Buffer.from(f)), 'control');
          case 'interrupt':
            return this.shell.interrupt(m.how, m.epoch);
          default:
            return unreachable(m, 'control-thread message');
        }
      });
      this.control.on('error', (e) => !this.stopping && log('control thread failed:', e));
    });
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.shellSocket) this.accept(frames, 'shell');
    } catch (e) {
      if (!this.shellSocket.closed) log('shell receive failed:', e);
    }
  }

  private accept(frames: Buffer[], channel: Channel): void {
    let msg: Message;
    try {
      msg = decode(frames, this.signer);
    } catch (e) {
      log(`${channel}: dropped message:`, e instanceof WireError ? e.message : e);
      return;
    }
    const seq = ++this.received;
    // Control is never queued behind a running cell (spec; jupyter_client's shutdown waits for its reply).
    if (channel === 'control') void this.handle(msg, channel, seq);
    else {
      this.queue.push({ msg, seq });
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    while (this.queue.length) {
      const { msg, seq } = this.queue.shift()!;
      await this.handle(msg, 'shell', seq);
      if (!this.queue.length) await new Promise((r) => setImmediate(r));
    }
    this.processing = false;
  }

  /** iopub lives on the control thread: output reaches the client even while user code holds this thread. */
  publish(msgType: string, content: unknown, parent: Partial<Header>): void {
    if (msgType === 'stream') {
      const { name, text } = content as { name: string; text: string };
      return this.toControl({ kind: 'stream', parent, name, text });
    }
    const frames = encode(this.signer, [Buffer.from(msgType)], makeHeader(msgType, this.session), parent, content);
    this.toControl({ kind: 'iopub', frames });
  }

  private reply(msg: Message, channel: Channel, content: unknown): void {
    const msgType = msg.header.msg_type.replace(/_request$/, '_reply');
    const frames = encode(this.signer, msg.identities, makeHeader(msgType, this.session), msg.header, content);
    if (channel === 'control') this.toControl({ kind: 'send', frames });
    else this.shellSending = this.shellSending.then(() => this.shellSocket.send(frames)).catch((e) => log('shell send failed:', e.message));
  }

  /** The one wrapper: busy, the handler, its reply, idle; a handler that throws is logged, never fatal. */
  private async handle(msg: Message, channel: Channel, seq: number): Promise<void> {
    const type = msg.header.msg_type;
    logDebug('recv', channel, type);
    const handler = Object.hasOwn(this.handlers, type) ? this.handlers[type] : undefined;
    if (!handler || !type.endsWith('_request')) {
      log(`ignoring unknown message type ${JSON.stringify(type).slice(0, 80)} on ${channel}`);
      return;
    }
    this.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      this.reply(msg, channel, await handler(msg, channel, seq));
      if (type === 'shutdown_request') await this.shutdown();
    } catch (e) {
      log(`handling ${type} failed:`, (e as Error)?.stack ?? e);
    } finally {
      this.publish('status', { execution_state: 'idle' }, msg.header);
    }
  }

  private async execute(msg: Message, seq: number): Promise<unknown> {
    // Abort only what was already queued when a cell failed, not what the client sent after the reply.
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

  kernelInfo() {
    const ts = require('typescript').version;
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'flowbook',
      implementation_version: pkg.version,
      language_info: {
        name: 'typescript',
        version: ts,
        file_extension: '.ts',
        mimetype: 'text/typescript',
        codemirror_mode: { name: 'javascript', typescript: true },
        pygments_lexer: 'typescript',
      },
      banner: `flowbook ${pkg.version}: TypeScript ${ts} on Node ${process.version}, with an async workflow engine (flow)`,
      help_links: [
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: 'Node.js API', url: 'https://nodejs.org/api/' },
      ],
      debugger: false,
    };
  }

  /** shutdown_request, SIGTERM, SIGHUP: stop the session's work (bounded), flush, close, exit. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.shell.interrupt('shutdown'); // a running cell must not hold the exit
    await this.shell.stop(2000);
    await this.shellSending;
    await new Promise((r) => setTimeout(r, 50)); // let zeromq flush the reply and the control thread send its copy
    const exited = new Promise((r) => this.control.once('exit', r));
    this.toControl({ kind: 'close' });
    this.stopLogging();
    this.shellSocket.close();
    await exited;
    process.exit(0);
  }
}
