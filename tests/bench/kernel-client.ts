// A small Jupyter client over zeromq: starts any kernel from an argv template, speaks the wire protocol, and
// collects iopub by parent msg_id. Used by the kernel's raw-protocol tests and the benchmark (the same client for
// flowbook and ipykernel, so the comparison is fair).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes, randomUUID, createHmac } from 'node:crypto';
import { spawn, ChildProcess } from 'node:child_process';
import * as zmq from 'zeromq';

export interface Msg {
  header: any;
  parent_header: any;
  metadata: any;
  content: any;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class KernelClient {
  readonly session = randomUUID();
  readonly key = randomBytes(16).toString('hex');
  proc!: ChildProcess;
  stderr = '';
  private dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-client-'));
  conn: Record<string, any> = {};
  // Reconnect every 10 ms (zeromq's default is 100 ms): the client connects before the kernel binds, and the
  // start-up benchmark should measure the kernel, not the reconnect timer.
  shell = new zmq.Dealer({ linger: 0, reconnectInterval: 10 });
  control = new zmq.Dealer({ linger: 0, reconnectInterval: 10 });
  iopub = new zmq.Subscriber({ linger: 0, reconnectInterval: 10 });
  /** iopub messages by parent msg_id, in arrival order. */
  readonly byParent = new Map<string, Msg[]>();
  private waiters: (() => void)[] = [];
  private replies = new Map<string, (m: Msg) => void>();

  async start(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    this.conn = {
      transport: 'tcp', ip: '127.0.0.1', key: this.key, signature_scheme: 'hmac-sha256',
      shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
    };
    const file = path.join(this.dir, 'connection.json');
    fs.writeFileSync(file, JSON.stringify(this.conn), { mode: 0o600 }); // as jupyter_client writes it
    this.proc = spawn(argv[0], argv.slice(1).map((a) => a.replace('{connection_file}', file)), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    this.shell.connect(`tcp://127.0.0.1:${ports[0]}`);
    this.control.connect(`tcp://127.0.0.1:${ports[3]}`);
    this.iopub.connect(`tcp://127.0.0.1:${ports[1]}`);
    this.iopub.subscribe();
    void this.readIopub();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
  }

  sign(parts: Buffer[]): string {
    const h = createHmac('sha256', this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  frames(msgType: string, content: unknown, opts: { badSignature?: boolean } = {}): { id: string; frames: Buffer[] } {
    const header = { msg_id: randomUUID(), session: this.session, username: 'test', date: new Date().toISOString(), msg_type: msgType, version: '5.3' };
    const parts = [header, {}, {}, content].map((x) => Buffer.from(JSON.stringify(x)));
    const sig = opts.badSignature ? '0'.repeat(64) : this.sign(parts);
    return { id: header.msg_id, frames: [Buffer.from('<IDS|MSG>'), Buffer.from(sig), ...parts] };
  }

  private decode(frames: Buffer[]): Msg {
    const i = frames.findIndex((f) => f.toString() === '<IDS|MSG>');
    const [h, p, m, c] = frames.slice(i + 2, i + 6).map((b) => JSON.parse(b.toString()));
    if (this.sign(frames.slice(i + 2, i + 6)) !== frames[i + 1].toString()) throw new Error('kernel sent a bad signature');
    return { header: h, parent_header: p, metadata: m, content: c };
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const m = this.decode(frames);
        const id = m.parent_header?.msg_id ?? '';
        if (!this.byParent.has(id)) this.byParent.set(id, []);
        this.byParent.get(id)!.push(m);
        const w = this.waiters;
        this.waiters = [];
        w.forEach((f) => f());
      }
    } catch {
      /* closed */
    }
  }

  private async readReplies(sock: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of sock) {
        const m = this.decode(frames);
        this.replies.get(m.parent_header.msg_id)?.(m);
      }
    } catch {
      /* closed */
    }
  }

  /** Resolves when `pred` holds for the iopub messages of `parentId`. */
  waitIopub(parentId: string, pred: (ms: Msg[]) => boolean): Promise<Msg[]> {
    return new Promise((resolve) => {
      const check = () => {
        const ms = this.byParent.get(parentId) ?? [];
        if (pred(ms)) resolve(ms);
        else this.waiters.push(check);
      };
      check();
    });
  }

  async sendRaw(channel: 'shell' | 'control', frames: Buffer[]): Promise<void> {
    await (channel === 'shell' ? this.shell : this.control).send(frames);
  }

  /** Sends a request; resolves with the reply and the iopub messages up to the matching idle. */
  async request(msgType: string, content: unknown, channel: 'shell' | 'control' = 'shell', waitIdle = true): Promise<{ id: string; reply: Msg; iopub: Msg[] }> {
    const { id, frames } = this.frames(msgType, content);
    const reply = new Promise<Msg>((r) => this.replies.set(id, r));
    await this.sendRaw(channel, frames);
    const [rep, iopub] = await Promise.all([
      reply,
      waitIdle ? this.waitIopub(id, (ms) => ms.some((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle')) : [],
    ]);
    this.replies.delete(id);
    return { id, reply: rep, iopub };
  }

  execute(code: string, extra: Record<string, unknown> = {}) {
    return this.request('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });
  }

  /**
   * Waits until the kernel answers kernel_info (iopub subscription is racy at start, so retry). Retries every
   * 20 ms: at 200 ms the start-up benchmark measured this loop's granularity more than the kernel.
   */
  async ready(): Promise<void> {
    for (;;) {
      const { id, frames } = this.frames('kernel_info_request', {});
      const got = new Promise<boolean>((r) => {
        this.replies.set(id, () => r(true));
        setTimeout(() => r(false), 20);
      });
      await this.sendRaw('shell', frames);
      if (await got) {
        // iopub: wait until our subscription sees messages too
        const seen = await Promise.race([this.waitIopub(id, (ms) => ms.length > 0).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
        if (seen) return;
      }
      if (this.proc.exitCode !== null) throw new Error(`kernel exited: ${this.stderr}`);
    }
  }

  alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async close(): Promise<void> {
    if (this.alive()) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      const { frames } = this.frames('shutdown_request', { restart: false });
      await this.control.send(frames).catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (this.alive()) this.proc.kill('SIGKILL');
    }
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
