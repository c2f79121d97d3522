// A minimal Jupyter client for the reliability tests: starts dist/kernel/main.js on free ports, signs and
// checks messages itself (independently of kernel/wire.ts) and can send raw, badly formed frames on purpose.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
export const KERNEL_MAIN = path.join(ROOT, 'dist/kernel/main.js');
const DELIM = '<IDS|MSG>';

export interface Msg {
  header: { msg_id: string; msg_type: string; [k: string]: unknown };
  parent_header: { msg_id?: string; [k: string]: unknown };
  metadata: Record<string, unknown>;
  content: any;
}

export interface Connection {
  transport: 'tcp'; ip: string; key: string; signature_scheme: 'hmac-sha256';
  shell_port: number; iopub_port: number; stdin_port: number; control_port: number; hb_port: number;
}
export type Channel = 'shell' | 'control' | 'stdin';

async function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, ip, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function sign(key: string, parts: Buffer[]): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** The four JSON frames of a message, in signing order. */
export function jsonParts(msg_type: string, content: unknown, session: string): { id: string; parts: Buffer[] } {
  const id = randomUUID();
  const header = { msg_id: id, session, username: 'test', date: new Date().toISOString(), msg_type, version: '5.3' };
  return { id, parts: [header, {}, {}, content].map((x) => Buffer.from(JSON.stringify(x))) };
}

export class Kernel {
  readonly session = randomUUID();
  readonly iopub: Msg[] = [];
  readonly replies: Msg[] = [];
  /** Everything the kernel process wrote to stdout and stderr (its log). */
  log = '';
  /** Messages from the kernel whose signature did not verify (must stay 0). */
  badSignatures = 0;
  exit?: { code: number | null; signal: string | null };
  private sockets: Record<Channel, zmq.Dealer>;
  private sub = new zmq.Subscriber();
  private waiters: (() => void)[] = [];

  private constructor(readonly proc: ChildProcess, readonly conn: Connection, readonly connFile: string) {
    this.sockets = { shell: new zmq.Dealer(), control: new zmq.Dealer(), stdin: new zmq.Dealer() };
    for (const s of [proc.stdout!, proc.stderr!]) s.setEncoding('utf8').on('data', (d: string) => ((this.log += d), this.wake()));
    proc.on('exit', (code, signal) => ((this.exit = { code, signal }), this.wake()));
  }

  /** Starts a kernel on free ports of `ip`; resolves once it answers kernel_info and iopub is subscribed. */
  static async start(opts: { ip?: string; env?: Record<string, string> } = {}): Promise<Kernel> {
    if (!fs.existsSync(KERNEL_MAIN)) throw new Error(`${KERNEL_MAIN} is missing: the kernel is not built (npm run build)`);
    const ip = opts.ip ?? '127.0.0.1';
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort(ip)));
    const conn: Connection = {
      transport: 'tcp', ip, key: randomUUID(), signature_scheme: 'hmac-sha256',
      shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
    };
    const connFile = path.join(tempDir('kernel'), 'kernel.json');
    fs.writeFileSync(connFile, JSON.stringify(conn));
    const proc = spawn(process.execPath, [KERNEL_MAIN, connFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const k = new Kernel(proc, conn, connFile);
    await k.connect();
    return k;
  }

  private url(port: number): string {
    return `tcp://${this.conn.ip}:${port}`;
  }

  private async connect(): Promise<void> {
    const c = this.conn;
    this.sockets.shell.connect(this.url(c.shell_port));
    this.sockets.control.connect(this.url(c.control_port));
    this.sockets.stdin.connect(this.url(c.stdin_port));
    this.sub.connect(this.url(c.iopub_port));
    this.sub.subscribe();
    for (const s of Object.values(this.sockets)) this.pump(s, this.replies);
    this.pump(this.sub, this.iopub);
    // iopub is a slow joiner: repeat kernel_info until its status message reaches us.
    const end = Date.now() + 20_000;
    for (;;) {
      if (this.exit) throw new Error(`kernel exited at start (${JSON.stringify(this.exit)}):\n${this.log}`);
      if (Date.now() > end) throw new Error(`kernel did not answer kernel_info within 20 s:\n${this.log}`);
      const id = await this.send('shell', 'kernel_info_request', {});
      const got = await this.waitFor(() => this.iopub.some((m) => m.parent_header.msg_id === id), 500).then(() => true, () => false);
      if (got) return;
    }
  }

  private async pump(sock: zmq.Dealer | zmq.Subscriber, into: Msg[]): Promise<void> {
    try {
      for await (const frames of sock) {
        const msg = this.decode(frames as Buffer[]);
        if (msg) into.push(msg);
        this.wake();
      }
    } catch {
      // socket closed
    }
  }

  /** Checks the kernel's signature on every message it sends us. */
  private decode(frames: Buffer[]): Msg | undefined {
    const i = frames.findIndex((f) => f.toString() === DELIM);
    const [sig, ...parts] = frames.slice(i + 1, i + 6);
    if (sig.toString() !== sign(this.conn.key, parts)) return void this.badSignatures++;
    const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString()));
    return { header, parent_header, metadata, content };
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `cond` holds (checked on every message, log line or exit); rejects after `ms`. */
  waitFor(cond: () => boolean, ms = 30_000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      const check = () => {
        if (cond()) return (clearTimeout(timer), resolve());
        this.waiters.push(check);
      };
      check();
    });
  }

  async sendRaw(channel: Channel, frames: Buffer[]): Promise<void> {
    await this.sockets[channel].send(frames);
  }

  /** Sends a correctly signed message; returns its msg_id. */
  async send(channel: Channel, msg_type: string, content: unknown): Promise<string> {
    const { id, parts } = jsonParts(msg_type, content, this.session);
    await this.sendRaw(channel, [Buffer.from(DELIM), Buffer.from(sign(this.conn.key, parts)), ...parts]);
    return id;
  }

  reply(id: string): Msg | undefined {
    return this.replies.find((m) => m.parent_header.msg_id === id);
  }

  async request(channel: Channel, msg_type: string, content: unknown, ms = 30_000): Promise<Msg> {
    const id = await this.send(channel, msg_type, content);
    await this.waitFor(() => !!this.reply(id), ms, `${msg_type} reply`);
    return this.reply(id)!;
  }

  /** iopub messages caused by request `id`. */
  outputs(id: string): Msg[] {
    return this.iopub.filter((m) => m.parent_header.msg_id === id);
  }

  /** Runs a cell; resolves with its reply and iopub messages once the kernel is idle again. */
  async execute(code: string, ms = 30_000): Promise<{ id: string; reply: Msg; outputs: Msg[]; stdout: string }> {
    const id = await this.startExecute(code);
    return this.finishExecute(id, ms);
  }

  startExecute(code: string): Promise<string> {
    return this.send('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
  }

  async finishExecute(id: string, ms = 30_000): Promise<{ id: string; reply: Msg; outputs: Msg[]; stdout: string }> {
    const idle = () => this.outputs(id).some((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle');
    await this.waitFor(() => !!this.reply(id) && idle(), ms, `execute ${id} to finish`);
    const outputs = this.outputs(id);
    const stdout = outputs.filter((m) => m.header.msg_type === 'stream' && m.content.name === 'stdout').map((m) => m.content.text).join('');
    return { id, reply: this.reply(id)!, outputs, stdout };
  }

  /** The value of an expression, as text/plain of its execute_result (fails the test on an error reply). */
  async eval(expr: string, ms?: number): Promise<string> {
    const r = await this.execute(expr, ms);
    if (r.reply.content.status !== 'ok') throw new Error(`${expr} failed: ${r.reply.content.ename}: ${r.reply.content.evalue}`);
    return r.outputs.find((m) => m.header.msg_type === 'execute_result')?.content.data['text/plain'] ?? '';
  }

  async stop(): Promise<void> {
    if (!this.exit) {
      await this.send('control', 'shutdown_request', { restart: false }).catch(() => {});
      await this.waitFor(() => !!this.exit, 5000).catch(() => this.proc.kill('SIGKILL'));
    }
    for (const s of [...Object.values(this.sockets), this.sub]) s.close();
  }
}
