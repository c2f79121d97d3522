// The iopub socket, run on the control thread. A plain PUB socket drops whatever exceeds its high-water mark, and
// measured with a cell that prints without end: the client got the first ~1,000 messages and never the cell's
// error or its `idle` status (3 runs in 4), so nbclient would wait forever. Here nothing but stream output is
// ever dropped: the socket pushes back (XPUB no-drop) and messages queue; stream output that arrives while more
// than STREAM_BACKLOG bytes wait is dropped and counted, and one stderr notice on the same cell says so.
// Stream text arrives unsigned and is merged here for up to STREAM_HOLD_MS (ipykernel flushes every 200 ms), so
// the main thread can hand over its first write at once (code that then holds the thread still shows it).
// No-drop has a price: any subscriber, and subscribing needs no key, could hold every client back by not reading
// (3,000 display.html calls: the real client got 1,498 displays, no result, no idle in 90 s; issue 17 item 6). So
// a push-back without any progress for STALL_MS means a subscriber stopped reading: from then on each message
// that no-drop refuses is sent once lossy, which drops it only for the subscribers whose pipes are full. Only
// while two or more peers are connected: a lone slow client holds back nobody but itself, and keeps everything.
import * as zmq from 'zeromq';
import { MAX_MESSAGE_BYTES } from './connection';
import { encode, makeHeader, Signer } from './wire';
import { log, logInfo } from '../log';

const STREAM_BACKLOG = 8 * 1024 * 1024;
const STREAM_HOLD_MS = 20;
const STREAM_MAX = 64 * 1024;
/** A reader that took nothing for this long is not a client that is merely slow (under load, or a flood). */
const STALL_MS = Number(process.env.FLOWBOOK_IOPUB_STALL_MS ?? 5000);

interface Dropped {
  parent: { msg_id?: string };
  bytes: number;
}

export class Iopub {
  readonly socket = new zmq.XPublisher({ maxMessageSize: MAX_MESSAGE_BYTES, noDrop: true, sendHighWaterMark: 1000 });
  private readonly queue: { frames: Buffer[]; size: number }[] = [];
  private queuedBytes = 0;
  private pumping: Promise<void> | null = null;
  private dropped: Dropped | null = null;
  private held: { parent: { msg_id?: string }; name: string; text: string } | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  /** Since when no-drop has refused every send (null: the last send went through). */
  private pushedBackSince: number | null = null;
  private stalledSends = 0;
  /** Connected iopub peers (accept minus disconnect events). */
  private peers = 0;

  constructor(private readonly signer: Signer, private readonly session: string) {}

  async bind(address: string): Promise<void> {
    // Observed before the bind: a client already retrying its connect is accepted during bind(), and an observer
    // made after it missed that accept (seen in CI on Node 24; the stalled-reader rule then never applied).
    void this.countPeers();
    await this.socket.bind(address);
    void this.drainSubscriptions();
  }

  private async countPeers(): Promise<void> {
    try {
      for await (const e of this.socket.events) {
        if (e.type === 'accept') this.peers++;
        else if (e.type === 'disconnect') this.peers = Math.max(0, this.peers - 1);
      }
    } catch {
      // closed with its socket
    }
  }

  /** Stream text for the cell `parent`: merged with what came just before it for the same cell and stream. */
  stream(parent: { msg_id?: string }, name: string, text: string): void {
    if (this.queuedBytes > STREAM_BACKLOG) return this.drop(parent, text.length); // cheap: a flood must not delay control
    const h = this.held;
    if (h && (h.parent.msg_id !== parent.msg_id || h.name !== name)) this.releaseStream();
    if (this.held) this.held.text += text;
    else this.held = { parent, name, text };
    if (this.held.text.length >= STREAM_MAX) this.releaseStream();
    else this.holdTimer ??= setTimeout(() => this.releaseStream(), STREAM_HOLD_MS);
  }

  /** Queues one signed message (frames as encode() built them: topic, delimiter, signature, parts). */
  publish(frames: Buffer[]): void {
    this.releaseStream();
    this.accept(frames);
  }

  /** Sends the merged stream text, or drops it (unsigned) while the backlog is over the bound. */
  private releaseStream(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    const h = this.held;
    if (!h) return;
    this.held = null;
    if (this.queuedBytes > STREAM_BACKLOG) return this.drop(h.parent, h.text.length);
    this.accept(encode(this.signer, [Buffer.from('stream')], makeHeader('stream', this.session), h.parent, { name: h.name, text: h.text }));
  }

  private accept(frames: Buffer[]): void {
    if (this.dropped) this.noticeDropped();
    this.enqueue(frames, frames.reduce((n, f) => n + f.length, 0));
  }

  private drop(parent: { msg_id?: string }, bytes: number): void {
    if (this.dropped && this.dropped.parent.msg_id !== parent.msg_id) this.noticeDropped();
    this.dropped ??= { parent, bytes: 0 };
    this.dropped.bytes += bytes;
  }

  /** Resolves once everything queued so far is with zeromq. */
  async flushed(): Promise<void> {
    this.releaseStream();
    if (this.dropped) this.noticeDropped();
    while (this.pumping) await this.pumping;
  }

  close(): void {
    try {
      this.socket.events.close(); // before the socket: an observer left open aborts the process at exit
    } catch {
      // already closed
    }
    this.socket.close();
  }

  private enqueue(frames: Buffer[], size: number): void {
    this.queue.push({ frames, size });
    this.queuedBytes += size;
    this.pumping ??= this.pump();
  }

  private noticeDropped(): void {
    const d = this.dropped!;
    this.dropped = null;
    const mb = (d.bytes / 1e6).toFixed(1);
    log(`iopub: dropped ${mb} MB of stream output (the client did not keep up)`);
    const text = `\n[flowbook] ${mb} MB of output dropped here: it came faster than the client could read it.\n`;
    const frames = encode(this.signer, [Buffer.from('stream')], makeHeader('stream', this.session), d.parent, { name: 'stderr', text });
    this.enqueue(frames, text.length);
  }

  private async pump(): Promise<void> {
    while (this.queue.length) {
      const { frames, size } = this.queue.shift()!;
      await this.send(frames);
      this.queuedBytes -= size;
    }
    this.pumping = null;
  }

  /**
   * XPUB with no-drop refuses (EAGAIN) while a subscriber's pipe is full, yet polls as writable (libzmq), so
   * zeromq.js cannot wait for it: retry with a short backoff, only while pushed back.
   */
  private async send(frames: Buffer[]): Promise<void> {
    for (let wait = 1; ; wait = Math.min(2 * wait, 50)) {
      try {
        await this.socket.send(frames);
        return this.progressed();
      } catch (e) {
        if ((e as { code?: string }).code !== 'EAGAIN' || this.socket.closed) return log('iopub send failed:', (e as Error).message);
      }
      const now = Date.now();
      this.pushedBackSince ??= now;
      if (now - this.pushedBackSince >= STALL_MS && this.peers > 1) return this.sendPastStalled(frames);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private progressed(): void {
    if (this.stalledSends) logInfo(`iopub: every subscriber reads again (${this.stalledSends} messages were dropped for a stalled one)`);
    this.pushedBackSince = null;
    this.stalledSends = 0;
  }

  /** Lossy for this one message: the subscribers with room get it; a full pipe (the stalled reader) loses it. */
  private async sendPastStalled(frames: Buffer[]): Promise<void> {
    if (this.stalledSends++ === 0) log(`iopub: a subscriber took nothing for ${STALL_MS / 1000} s; messages it has no room for are dropped for it only`);
    this.setNoDrop(false);
    try {
      await this.socket.send(frames);
    } catch (e) {
      if (!this.socket.closed) log('iopub send failed:', (e as Error).message);
    } finally {
      if (!this.socket.closed) this.setNoDrop(true);
    }
  }

  /**
   * libzmq reads XPUB_NODROP at each send, but zeromq.js warns "will not take effect until next connect/bind" for
   * any option set after a bind but the HWMs: two false lines on the kernel's stderr per lossy send.
   */
  private setNoDrop(on: boolean): void {
    const emitWarning = process.emitWarning;
    process.emitWarning = () => undefined;
    try {
      this.socket.noDrop = on;
    } finally {
      process.emitWarning = emitWarning;
    }
  }

  /** XPUB hands subscriptions to the application; read them so they do not pile up. */
  private async drainSubscriptions(): Promise<void> {
    try {
      for await (const _ of this.socket) void _;
    } catch (e) {
      if (!this.socket.closed) log('iopub subscriptions:', e);
    }
  }
}
