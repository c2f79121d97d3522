// The kernel's sockets: shell here, control/iopub/stdin/heartbeat on the control thread (control-worker.ts).
// Verified messages go to the dispatcher (dispatch.ts).
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { Stdin } from './stdin';
import { ConnectionInfo, endpoint, logDisconnects, MAX_MESSAGE_BYTES } from './connection';
import { decode, DigestHistory, encode, Header, makeHeader, Message, PROTOCOL_VERSION, Signer, RejectedMessageError } from './wire';
import { RejectionLog } from './rejections';
import type { Shell } from './shell-api';
import { FromControl, ToControl, unreachable } from './messages';
import { OutboundGate, OutputBatch, outboundBytes } from './outbound';
import { IN_VM } from '../realm/vm-state';
import { Channel, Dispatcher } from './dispatch';
import { log, logInfo } from '../log';
import type { ControlThread } from './control-start';

const pkg = require('../../../package.json');
const DOCS = [['flowbook: kernel and magics', 'kernel.md'], ['flowbook: workflow engine', 'engine.md'], ['flowbook: magics', 'magics.md']];


export class Kernel {
  readonly session: string;
  readonly signer: Signer;
  private readonly shellDigests = new DigestHistory();
  private readonly rejections = { shell: new RejectionLog('shell', log), control: new RejectionLog('control', log) };
  readonly stdin: Stdin;
  private readonly shellSocket = new zmq.Router({ maxMessageSize: MAX_MESSAGE_BYTES });
  private readonly control: Worker;
  /** Bounds the output posted to the control thread and not yet taken in (outbound.ts). */
  private readonly outbound: OutboundGate;
  private readonly output: OutputBatch;
  private stopping = false;
  private dispatcher!: Dispatcher;
  private shellSending: Promise<unknown> = Promise.resolve();
  private stopLogging = () => {};
  private loaded: Shell | null = null;

  /**
   * `makeShell` loads the shell (TypeScript and the engine: ~110 ms of the main thread). The sockets are bound
   * and kernel_info is answered before it runs: jupyter_client waits for that reply and then 0.2 s of iopub
   * silence, and the shell loads in that pause. Bound after the load, the kernel answered ~100 ms later
   * (start -> first result 0.68 s against Deno's 0.59 s).
   */
  constructor(
    private readonly conn: ConnectionInfo,
    private readonly vmState: Int32Array,
    private readonly makeShell: () => Shell,
    thread: ControlThread, // started by main.ts before this module loaded (control-start.ts)
  ) {
    this.session = thread.session;
    this.control = thread.worker;
    this.outbound = new OutboundGate(thread.outbound);
    this.output = new OutputBatch(this.outbound, (m) => this.control.postMessage(m), () => Atomics.load(this.vmState, IN_VM) === 1);
    this.signer = new Signer(conn.key, conn.signature_scheme);
    this.stdin = new Stdin(this.signer, this.session, thread.inputFlag, thread.inputPort);
  }

  /** The shell, loaded on first use: a request that needs it, the first kernel_info answered, or 300 ms. */
  get shell(): Shell {
    if (this.loaded) return this.loaded;
    const shell = this.makeShell();
    shell.onInterrupted(() => this.toControl({ kind: 'interrupted' }));
    return (this.loaded = shell);
  }

  async start(): Promise<void> {
    this.dispatcher = new Dispatcher(() => this.shell, {
      reply: (msg, channel, content) => this.reply(msg, channel, content),
      publish: (t, c, p) => this.publish(t, c, p),
      kernelInfo: () => {
        setImmediate(() => void this.shell); // after the reply and its idle are out
        return this.kernelInfo();
      },
      shutdown: () => this.shutdown(),
    });
    await Promise.all([this.shellSocket.bind(endpoint(this.conn, this.conn.shell_port)), this.startControl()]);
    this.stopLogging = logDisconnects(this.shellSocket, 'shell', logInfo);
    this.publish('status', { execution_state: 'starting' }, {});
    void this.receive();
    setTimeout(() => void this.shell, 300).unref(); // a client that never asks for kernel_info
  }

  /** The SIGINT holder heard a signal while cell `epoch` was current: the control thread decides. */
  sigintHeard(epoch: number): void {
    this.toControl({ kind: 'sigint', epoch });
  }

  /** Posts the output batched in this turn now (before user code holds the thread). */
  flushOutput(): void {
    this.output.flush();
  }

  private toControl(m: ToControl): void {
    this.output.flush(); // what was published before this goes first
    this.control.postMessage(m);
  }

  /** Listens to the control thread (started already; what it posted meanwhile waits in its port). */
  private startControl(): Promise<void> {
    this.stdin.attach((m) => this.toControl(m)); // after the cell's output so far
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
            return this.loaded?.interrupt(m.how, m.epoch); // no shell yet: nothing runs
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
      // control frames come from the control thread, which already refused replays of them
      msg = decode(frames, this.signer, channel === 'shell' ? this.shellDigests : undefined);
    } catch (e) {
      this.rejections[channel].rejected(e instanceof RejectedMessageError ? e.message : e);
      return;
    }
    this.dispatcher.accept(msg, channel);
  }

  /** iopub lives on the control thread: output reaches the client even while user code holds this thread. */
  publish(msgType: string, content: unknown, parent: Partial<Header>): void {
    if (msgType === 'stream') {
      const { name, text } = content as { name: string; text: string };
      return this.output.add({ kind: 'stream', parent, name, text }, text.length);
    }
    const frames = encode(this.signer, [Buffer.from(msgType)], makeHeader(msgType, this.session), parent, content);
    this.output.add({ kind: 'iopub', frames }, outboundBytes({ frames }));
  }

  private reply(msg: Message, channel: Channel, content: unknown): void {
    const msgType = msg.header.msg_type.replace(/_request$/, '_reply');
    const frames = encode(this.signer, msg.identities, makeHeader(msgType, this.session), msg.header, content);
    if (channel === 'control') this.toControl({ kind: 'send', frames });
    else this.shellSending = this.shellSending.then(() => this.shellSocket.send(frames)).catch((e) => log('shell send failed:', e.message));
  }

  kernelInfo() {
    const ts = require('typescript/package.json').version; // not typescript itself: the shell loads it later
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
        // The package's own docs, as installed (they ship in the tarball), and its npm page.
        ...DOCS.map(([text, file]) => ({ text, url: pathToFileURL(path.join(__dirname, '../../../docs', file)).href })),
        { text: 'flowbook on npm', url: 'https://www.npmjs.com/package/flowbook' },
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: 'Node.js API', url: 'https://nodejs.org/api/' },
      ],
      debugger: false,
    };
  }

  /**
   * process.exit() in a cell: shuts down once the request being handled has sent its reply and idle, or after
   * 2 s when another cell keeps running (a timer called exit() while a cell blocks): shutdown interrupts it.
   */
  async shutdownWhenIdle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.dispatcher.drained(), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await this.shutdown();
  }

  /** shutdown_request, SIGTERM, SIGHUP: stop the session's work (bounded), flush, close, exit. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.loaded?.interrupt('shutdown'); // a running cell must not hold the exit
    await this.loaded?.stop(2000);
    await this.shellSending;
    await new Promise((r) => setTimeout(r, 50)); // let zeromq flush the reply and the control thread send its copy
    const exited = new Promise((r) => this.control.once('exit', r));
    this.toControl({ kind: 'close' });
    this.stopLogging();
    this.shellSocket.close();
    await exited;
    process.exit(); // process.exitCode: set by process.exit(code) in a cell
  }
}
