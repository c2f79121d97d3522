/**
 * The pilot channel: one authenticated connection from an agent back to the host, per pilot.
 *
 * - The host listens on one address (never every interface), for one agent; it stops listening once its
 *   agent has said hello, and refuses every other connection and every frame that fails (frames.ts).
 * - The key is 32 random bytes per pilot. It reaches the agent as the first line on srun's stdin, so it is in
 *   no argv, no environment and no file. Every frame in both directions carries an HMAC under it and the next
 *   sequence number; the first frame must be the agent's hello, so whoever lacks the key is refused at once.
 * - Before the hello a peer may send one small frame (HELLO_MAX) and has HELLO_MS to do it; at most
 *   MAX_UNPROVEN such peers wait at once and the oldest is dropped for a new one, so a flood cannot lock the
 *   agent out (it also retries its connection).
 * - `tls`: TLS 1.2 with the key as pre-shared key (ECDHE-PSK, forward secret): no certificates to deploy, and
 *   the payload is private on an untrusted network. Without it the channel is authenticated, not private.
 */
import { createHmac } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { DEFAULT_MAX_FRAME, FrameReader, FrameWriter, type FrameError, type Opened } from './frames';
import type { FromAgent, ToAgent } from './protocol';
import { refusals } from './refusals';

const HELLO_MAX = 4096;
const HELLO_MS = 10_000;
const MAX_UNPROVEN = 16;
const PSK_CIPHERS = 'ECDHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-AES256-CBC-SHA384';
const CONNECT_TRIES = 6;

export const pskOf = (key: Buffer): Buffer => createHmac('sha256', key).update('flowbook tls-psk').digest();

type Sock = net.Socket | tls.TLSSocket;

export interface ListenOptions {
  host: string;
  key: Buffer;
  /** The pilot's name: the TLS identity, and how refusals name the channel. */
  name: string;
  tls: boolean;
  maxFrame?: number;
  onAgent(ch: HostChannel, hello: Extract<FromAgent, { type: 'hello' }>): void;
}

/** Host end of a connection whose agent has proved it holds the key. */
export class HostChannel {
  private writer: FrameWriter;
  private closed = false;
  onMessage: (msg: FromAgent, value?: Buffer) => void = () => {};
  onLost: (why: string) => void = () => {};

  constructor(private sock: Sock, key: Buffer) {
    this.writer = new FrameWriter(key, 'toAgent', (b) => void sock.write(b));
  }

  send(msg: ToAgent, value?: Buffer): void {
    if (!this.closed) this.writer.send(msg, value);
  }

  /** Bytes written and not yet flushed to the kernel (back-pressure for large values). */
  get buffered(): number {
    return this.sock.writableLength;
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }

  /** @internal */
  lost(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.destroy();
    this.onLost(why);
  }
}

/** Listens for this pilot's agent; resolves with the port once bound. */
export class PilotListener {
  private server: net.Server;
  private unproven = new Set<Sock>();
  private refused = new WeakSet<object>();
  private done = false;
  port = 0;

  constructor(private o: ListenOptions) {
    const onSocket = (s: Sock) => this.accept(s);
    if (o.tls) {
      const psk = pskOf(o.key);
      const srv = tls.createServer({
        ciphers: PSK_CIPHERS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2',
        pskCallback: (_s, identity) => (identity === o.name ? psk : null),
      }, onSocket);
      srv.on('tlsClientError', (e, s) => this.refuse(s, `TLS handshake failed (${(e as NodeJS.ErrnoException).code ?? e.message})`));
      // The TCP accept, before any TLS: the same limits on waiting peers apply.
      srv.on('connection', (s: net.Socket) => this.admit(s));
      this.server = srv;
    } else {
      this.server = net.createServer((s) => (this.admit(s), this.accept(s)));
    }
    this.server.on('error', () => {});
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.o.host, port: 0, exclusive: true }, () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  close(): void {
    this.done = true;
    this.server.close();
    for (const s of this.unproven) s.destroy();
    this.unproven.clear();
  }

  /** TCP level: a peer waits for its hello only briefly, and only so many at once. */
  private admit(s: net.Socket): void {
    if (this.done) return this.refuse(s, 'the agent is already connected');
    if (this.unproven.size >= MAX_UNPROVEN) {
      const oldest = this.unproven.values().next().value as Sock;
      this.refuse(oldest, `more than ${MAX_UNPROVEN} connections without a hello`);
    }
    this.unproven.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      if (this.unproven.delete(s) && !this.refused.has(s)) this.refuse(s, 'left without a hello');
    });
    const t = setTimeout(() => this.unproven.has(s) && this.refuse(s, `no hello within ${HELLO_MS / 1000} s`), HELLO_MS);
    t.unref();
    s.once('close', () => clearTimeout(t));
  }

  /** Stream level (after TLS, if any): the first frame must be a signed hello. */
  private accept(s: Sock): void {
    if (this.done) return this.refuse(s, 'the agent is already connected');
    (s as net.Socket).setNoDelay?.(true);
    let ch: HostChannel | undefined;
    const reader = new FrameReader(this.o.key, 'toHost', HELLO_MAX, (f: Opened) => {
      if (ch) return ch.onMessage(f.header as FromAgent, f.value);
      const hello = f.header as FromAgent;
      if (hello.type !== 'hello' || this.done) return this.refuse(s, this.done ? 'the agent is already connected' : 'first frame is not a hello');
      this.prove(s);
      this.close(); // one agent per pilot: nobody else gets in after it
      reader.setMaxFrame(this.o.maxFrame ?? DEFAULT_MAX_FRAME);
      ch = new HostChannel(s, this.o.key);
      s.on('close', () => ch!.lost('connection closed'));
      ch.send({ type: 'welcome' });
      this.o.onAgent(ch, hello);
    }, (e: FrameError) => {
      if (ch) ch.lost(`refused a frame from the agent: ${e.message}`);
      else this.refuse(s, e.message);
    });
    s.on('data', (d: Buffer) => reader.push(d));
  }

  /** The agent's socket leaves the waiting set (under TLS that holds the TCP socket beneath, same peer port). */
  private prove(s: Sock): void {
    if (this.unproven.delete(s)) return;
    for (const raw of this.unproven) {
      if (raw.remotePort === s.remotePort && raw.remoteAddress === s.remoteAddress) this.unproven.delete(raw);
    }
  }

  private refuse(s: Sock | null | undefined, why: string): void {
    if (s) {
      if (this.refused.has(s)) return;
      this.refused.add(s);
    }
    const peer = s?.remoteAddress ? `${s.remoteAddress}:${s.remotePort}` : 'a peer';
    refusals.refuse({ pilot: this.o.name, peer, why });
    s?.destroy();
  }
}

export interface ConnectOptions {
  where: string;
  key: Buffer;
  name: string;
  tls: boolean;
  maxFrame?: number;
  hello: FromAgent;
  /** Called at the welcome, before any later frame is handed on (a job may come in the same chunk). */
  onWelcome(ch: AgentChannel): void;
  onMessage(msg: ToAgent, value?: Buffer): void;
  onClose(): void;
}

export interface AgentChannel {
  send(msg: FromAgent, value?: Buffer): void;
  end(then: () => void): void;
}

/** Agent end: connects, says hello, and resolves once the host's signed welcome came back. */
export async function connectToHost(o: ConnectOptions): Promise<AgentChannel> {
  const i = o.where.lastIndexOf(':');
  const host = o.where.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(o.where.slice(i + 1));
  let last = '';
  for (let attempt = 1; attempt <= CONNECT_TRIES; attempt++) {
    const ch = await tryConnect(o, host, port).catch((e: Error) => ((last = e.message), undefined));
    if (ch) return ch;
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
  throw new Error(`cannot reach the host at ${o.where}: ${last}`);
}

function tryConnect(o: ConnectOptions, host: string, port: number): Promise<AgentChannel> {
  return new Promise((resolve, reject) => {
    const sock: Sock = o.tls
      ? tls.connect({
          host, port, ciphers: PSK_CIPHERS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2',
          checkServerIdentity: () => undefined, pskCallback: () => ({ psk: pskOf(o.key), identity: o.name }),
        })
      : net.connect({ host, port });
    let welcomed = false;
    const writer = new FrameWriter(o.key, 'toHost', (b) => void sock.write(b));
    const reader = new FrameReader(o.key, 'toAgent', o.maxFrame ?? DEFAULT_MAX_FRAME, (f) => {
      const msg = f.header as ToAgent;
      if (!welcomed) {
        if (msg.type !== 'welcome') return void sock.destroy();
        welcomed = true;
        const ch: AgentChannel = { send: (m, v) => writer.send(m, v), end: (then) => sock.end(then) };
        o.onWelcome(ch);
        return resolve(ch);
      }
      o.onMessage(msg, f.value);
    }, (e) => {
      process.stderr.write(`slurm-agent: refused a frame from the host: ${e.message}\n`);
      sock.destroy();
    });
    sock.setNoDelay(true);
    sock.on(o.tls ? 'secureConnect' : 'connect', () => writer.send(o.hello));
    sock.on('data', (d: Buffer) => reader.push(d));
    sock.on('error', (e) => last(e.message));
    sock.on('close', () => (welcomed ? o.onClose() : last('closed before the welcome')));
    const last = (why: string) => !welcomed && reject(new Error(why));
  });
}

/** Reads the key: the first line on `stream` (hex), within 30 s. */
export function readKey(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('no key on stdin within 30 s')), 30_000);
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return buf.length > 1024 ? reject(new Error('no key line on stdin')) : undefined;
      stream.off('data', onData);
      clearTimeout(t);
      const hex = buf.slice(0, nl).trim();
      if (!/^[0-9a-f]{64}$/.test(hex)) return reject(new Error('the key on stdin is not 64 hex digits'));
      resolve(Buffer.from(hex, 'hex'));
    };
    stream.on('data', onData);
    stream.on('end', () => reject(new Error('stdin closed before the key')));
  });
}

