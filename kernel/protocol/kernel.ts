// Sockets and message dispatch. Shell requests run one at a time, in order; control runs on its own thread.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { listenForSigint } from '../realm/sigint';
import { Stdin } from './stdin';
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { ConnectionInfo, endpoint, logDisconnects, MAX_MESSAGE_BYTES } from './connection';
import { decode, encode, Header, makeHeader, Message, PROTOCOL_VERSION, Signer, WireError } from './wire';
import { Executor } from '../shell/execute';
import { complete } from '../shell/complete';
import { isComplete } from '../shell/is-complete';
import { inspectAt } from '../shell/inspect';
import { log, logDebug } from '../log';

const pkg = require('../../../package.json');

export class Kernel {
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Router({ maxMessageSize: MAX_MESSAGE_BYTES });
  private control!: Worker;
  private readonly queue: { msg: Message; socket: 'shell' | 'control'; seq: number }[] = [];
  private processing = false;
  private stopping = false;
  /** Messages accepted so far, and the last of them to abort after an error (stop_on_error). */
  private received = 0;
  private abortThrough = 0;
  private shellSending: Promise<unknown> = Promise.resolve();
  readonly executor: Executor;
  private readonly stdin: Stdin;
  private stopLogging = () => {};

  constructor(private readonly conn: ConnectionInfo) {
    this.signer = new Signer(conn.key, conn.signature_scheme);
    this.stdin = new Stdin(this.signer, this.session);
    this.executor = new Executor((t, c, p) => this.publish(t, c, p), this.stdin);
    this.executor.runtime.onInterrupted = () => this.control?.postMessage({ kind: 'interrupted' });
  }

  async start(): Promise<void> {
    await Promise.all([
      this.shell.bind(endpoint(this.conn, this.conn.shell_port)),
      this.startControl(),
    ]);
    this.stopLogging = logDisconnects(this.shell, 'shell', log);
    this.publish('status', { execution_state: 'starting' }, {});
    // Killed by the notebook server (restart timeout, SIGTERM to our group): still stop tasks' processes and jobs.
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void this.shutdown());
    void this.receive();
    void this.executor.init();
  }

  private startControl(): Promise<void> {
    const vmState = this.executor.runtime.vmState;
    this.control = new Worker(path.join(__dirname, 'control-worker.js'), {
      workerData: { conn: this.conn, session: this.session, vmState, inputPort: this.stdin.workerPort, inputFlag: this.stdin.flag },
      transferList: [this.stdin.workerPort],
    });
    // The SIGINT listener reports through here: when this thread is busy, the signal has broken its vm run anyway.
    listenForSigint(vmState, (epoch) => this.control.postMessage({ kind: 'sigint', epoch }));
    this.stdin.attach(this.control);
    this.control.unref();
    return new Promise((resolve, reject) => {
      this.control.on('message', (m: { kind: string; frames?: Uint8Array[]; error?: string; epoch?: number; how?: string }) => {
        if (m.kind === 'ready') resolve();
        else if (m.kind === 'failed') reject(new Error(m.error));
        else if (m.kind === 'control') this.accept(m.frames!.map((f) => Buffer.from(f)), 'control');
        else if (m.kind === 'interrupt') this.executor.runtime.interruptRunning(m.how ?? 'control', m.epoch);
      });
      this.control.on('error', (e) => log('control worker error:', e));
    });
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.shell) this.accept(frames, 'shell');
    } catch (e) {
      if (!this.shell.closed) log('shell receive failed:', e);
    }
  }

  private accept(frames: Buffer[], socket: 'shell' | 'control'): void {
    let msg: Message;
    try {
      msg = decode(frames, this.signer);
    } catch (e) {
      log(`${socket}: dropped message:`, e instanceof WireError ? e.message : e);
      return;
    }
    // Control requests jump the queue (spec: control is not blocked by queued shell requests).
    const seq = ++this.received;
    if (socket === 'control') this.queue.unshift({ msg, socket, seq });
    else this.queue.push({ msg, socket, seq });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    while (this.queue.length) {
      const { msg, socket, seq } = this.queue.shift()!;
      try {
        await this.handle(msg, socket, seq);
      } catch (e) {
        log(`handling ${msg.header.msg_type} failed:`, (e as Error)?.stack ?? e);
      }
      if (!this.queue.length) await new Promise((r) => setImmediate(r));
    }
    this.processing = false;
  }

  /** iopub lives on the control thread: output reaches the client even while user code holds this thread. */
  publish(msgType: string, content: unknown, parent: Partial<Header>): void {
    if (msgType === 'stream') {
      const { name, text } = content as { name: string; text: string };
      return this.control.postMessage({ kind: 'stream', parent, name, text }); // merged and signed there
    }
    const frames = encode(this.signer, [Buffer.from(msgType)], makeHeader(msgType, this.session), parent, content);
    this.control.postMessage({ kind: 'iopub', frames });
  }

  private reply(msg: Message, socket: 'shell' | 'control', msgType: string, content: unknown): void {
    const frames = encode(this.signer, msg.identities, makeHeader(msgType, this.session), msg.header, content);
    if (socket === 'control') this.control.postMessage({ kind: 'send', frames });
    else this.shellSending = this.shellSending.then(() => this.shell.send(frames)).catch((e) => log('shell send failed:', e.message));
  }

  private async handle(msg: Message, socket: 'shell' | 'control', seq: number): Promise<void> {
    const type = msg.header.msg_type;
    const c = msg.content;
    logDebug('recv', socket, type);
    this.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      switch (type) {
        case 'kernel_info_request':
          return this.reply(msg, socket, 'kernel_info_reply', this.kernelInfo());
        case 'execute_request': {
          // Abort only what was already queued when a cell failed, not what the client sent after the reply.
          if (seq <= this.abortThrough) {
            return this.reply(msg, socket, 'execute_reply', { status: 'aborted', execution_count: this.executor.count });
          }
          const r = await this.executor.execute(msg);
          if (r.status === 'error' && c.stop_on_error !== false) {
            // Read what the client had already sent (it is still in the socket) before fixing the boundary and
            // replying: those requests are aborted; anything sent after the client saw this reply is not.
            await new Promise((r) => setTimeout(r, 5));
            this.abortThrough = this.received;
          }
          return this.reply(msg, socket, 'execute_reply', r);
        }
        case 'complete_request':
          return this.reply(msg, socket, 'complete_reply', complete(this.executor, String(c.code ?? ''), Number(c.cursor_pos ?? 0)));
        case 'inspect_request':
          return this.reply(msg, socket, 'inspect_reply', inspectAt(this.executor, String(c.code ?? ''), Number(c.cursor_pos ?? 0), Number(c.detail_level ?? 0)));
        case 'is_complete_request':
          return this.reply(msg, socket, 'is_complete_reply', isComplete(String(c.code ?? '')));
        case 'comm_info_request':
          return this.reply(msg, socket, 'comm_info_reply', { status: 'ok', comms: {} });
        case 'history_request':
          return this.reply(msg, socket, 'history_reply', { status: 'ok', history: this.executor.history(c) });
        case 'shutdown_request':
          this.reply(msg, socket, 'shutdown_reply', { status: 'ok', restart: !!c.restart });
          return this.shutdown();
        case 'interrupt_request': // normally answered by the control thread; here if sent on shell
          this.executor.runtime.interruptRunning('shell message');
          return this.reply(msg, socket, 'interrupt_reply', { status: 'ok' });
        case 'debug_request':
          return this.reply(msg, socket, 'debug_reply', {});
        default:
          log(`ignoring unknown message type ${JSON.stringify(type).slice(0, 80)} on ${socket}`);
      }
    } finally {
      this.publish('status', { execution_state: 'idle' }, msg.header);
    }
  }

  kernelInfo() {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'flowbook',
      implementation_version: pkg.version,
      language_info: {
        name: 'typescript',
        version: require('typescript').version,
        file_extension: '.ts',
        mimetype: 'text/typescript',
        codemirror_mode: { name: 'javascript', typescript: true },
        pygments_lexer: 'typescript',
      },
      banner: `flowbook ${pkg.version}: TypeScript ${require('typescript').version} on Node ${process.version}, with an async workflow engine (flow)`,
      help_links: [
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: 'Node.js API', url: 'https://nodejs.org/api/' },
      ],
      debugger: false,
    };
  }

  private async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.executor.stopWorkflows(2000);
    await this.shellSending;
    await new Promise((r) => setTimeout(r, 50)); // let zeromq flush the reply and the control thread send its copy
    const exited = new Promise((r) => this.control.once('exit', r));
    this.control.postMessage({ kind: 'close' });
    this.stopLogging();
    this.shell.close();
    await exited;
    process.exit(0);
  }
}
