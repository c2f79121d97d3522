// A bound on the output that the main thread has handed to the control thread and the control thread has not yet
// taken in. Without one, a cell printing in an endless loop posted 64 KB messages faster than the control thread
// could take them. Node takes in up to 1,000 port messages per turn of a thread's loop, so the control thread's
// timers and sockets waited about a second per turn: its interrupt watcher (a 5 ms interval) needed 8 s for the
// 7 ticks that send SIGINT, and "interrupting a printing loop" took 6-16 s in CI at load 8. A bound on bytes
// alone (4 MB) still let ~1 s turns happen; a few messages in flight keep each turn short. Past the bound the main thread
// waits, as a writer to a full pipe does; the control thread still takes everything in (it drops stream output
// itself when iopub's subscribers lag), so the wait ends. The wait is an Atomics.wait, which an interrupt breaks
// (measured on 20 and 26: a SIGINT ends a breakOnSigint run waiting in it).
import { log } from '../log';
import type { Output, ToControl } from './messages';

const CAP_BYTES = 1024 * 1024;
const CAP_MESSAGES = 64;
const BYTES = 0;
const MESSAGES = 1;
const WAIT_SLICE_MS = 50;
/** Only a dead control thread keeps us this long; then output goes on unbounded (and the log says so). */
const GIVE_UP_MS = 10_000;

export class OutboundGate {
  private gaveUp = false;

  /** `shared`: [bytes in flight, messages in flight], also the control thread's. */
  constructor(readonly shared: Int32Array = new Int32Array(new SharedArrayBuffer(8))) {}

  /** Main thread, before posting `bytes`: waits while more than the cap is in flight. */
  reserve(bytes: number): void {
    if (!this.gaveUp && this.full()) this.waitBelowCap();
    Atomics.add(this.shared, BYTES, bytes);
    Atomics.add(this.shared, MESSAGES, 1);
  }

  private full(): boolean {
    return Atomics.load(this.shared, BYTES) > CAP_BYTES || Atomics.load(this.shared, MESSAGES) >= CAP_MESSAGES;
  }

  private waitBelowCap(): void {
    const until = Date.now() + GIVE_UP_MS;
    while (this.full()) {
      if (Date.now() > until) {
        this.gaveUp = true;
        log(`the control thread took no output for ${GIVE_UP_MS / 1000} s: output is no longer bounded`);
        return;
      }
      Atomics.wait(this.shared, MESSAGES, Atomics.load(this.shared, MESSAGES), WAIT_SLICE_MS);
    }
  }
}

/** Control thread, after taking in a message of `bytes`. */
export function released(shared: Int32Array, bytes: number): void {
  Atomics.sub(shared, BYTES, bytes);
  Atomics.sub(shared, MESSAGES, 1);
  Atomics.notify(shared, MESSAGES);
}

/**
 * The output of one turn of the main thread's loop, posted to the control thread as one message. Each post wakes
 * that thread: ~65 us of this thread apiece here (a trivial cell made 4 posts, a quarter of its time on this
 * thread). While user code holds the thread (a vm run) the loop does not turn, so output then goes at once; and
 * before any other message (an input_request, a reply on control) what is batched goes first, in order.
 */
export class OutputBatch {
  private items: Output[] = [];
  private bytes = 0;

  constructor(private readonly gate: OutboundGate, private readonly post: (m: ToControl) => void, private readonly userCodeRuns: () => boolean) {}

  add(m: Output, bytes: number): void {
    if (this.userCodeRuns()) {
      this.flush();
      this.gate.reserve(bytes);
      return this.post(m);
    }
    this.items.push(m);
    this.bytes += bytes;
    if (this.items.length === 1) setImmediate(this.flush);
    else if (this.items.length >= CAP_MESSAGES || this.bytes >= CAP_BYTES / 4) this.flush();
  }

  readonly flush = (): void => {
    if (!this.items.length) return;
    const [messages, bytes] = [this.items, this.bytes];
    [this.items, this.bytes] = [[], 0];
    this.gate.reserve(bytes); // a batch is one message in flight
    this.post(messages.length === 1 ? messages[0] : { kind: 'batch', messages });
  };
}

/** What a message counts against the bound: its text or frames. */
export function outboundBytes(m: { text: string } | { frames: Buffer[] } | { messages: Output[] }): number {
  if ('messages' in m) return m.messages.reduce((n, x) => n + outboundBytes(x), 0);
  if ('text' in m) return m.text.length;
  let n = 0;
  for (const f of m.frames) n += f.length;
  return n;
}
