// Control, heartbeat, iopub and stdin on their own thread, so that interrupt_request and heartbeats are answered, and
// output that user code printed is sent, while the main thread is stuck in user code (ipykernel's iopub thread
// does the same). Interrupts from interrupt_request and from an outside SIGINT both end here (see below). Other
// control messages go to the main thread; iopub messages come from it, already signed.
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { ConnectionInfo, endpoint, logDisconnects, MAX_MESSAGE_BYTES } from './connection';
import { decode, DigestHistory, encode, makeHeader, Message, Signer, RejectedMessageError } from './wire';
import { RejectionLog } from './rejections';
import { safeString } from '../../extension/engine/describe';
import { Iopub } from './iopub';
import { outboundBytes, released } from './outbound';
import { EPOCH, IN_VM, RUN } from '../realm/vm-state';
import { log, logDebug, logInfo } from '../log';
import { FromControl, ToControl, unreachable } from './messages';

const toMain = (m: FromControl) => parentPort!.postMessage(m);

const conn = workerData.conn as ConnectionInfo;
const session = workerData.session as string;
const signer = new Signer(conn.key, conn.signature_scheme);
const control = new zmq.Router({ maxMessageSize: MAX_MESSAGE_BYTES });
// A heartbeat is a few bytes (jupyter_client sends b'ping'); an unbounded echo held a keyless 300 MB frame
// (RSS 113 -> 507 MB, issue 17 item 15). zeromq disconnects a peer whose message is larger.
const HB_MAX_MESSAGE_BYTES = 4096;
const hb = new zmq.Reply({ maxMessageSize: HB_MAX_MESSAGE_BYTES });
const iopub = new Iopub(signer, session);
const stdin = new zmq.Router({ maxMessageSize: MAX_MESSAGE_BYTES });
const inputPort = workerData.inputPort as MessagePort;
/** Output bytes the main thread has posted and we have not yet taken in (outbound.ts). */
const outbound = workerData.outbound as Int32Array;
const inputFlag = workerData.inputFlag as Int32Array;
/**
 * msg_id of the input_request the main thread waits on (kernel/stdin.ts). jupyter_client's input() sends its
 * reply without a parent header, so, as in ipykernel, any reply while one waits answers it; replies that arrive
 * while none waits are stale and dropped.
 */
let awaitingInput: string | null = null;
let sending = Promise.resolve();

function send(frames: Buffer[]): void {
  sending = sending.then(() => control.send(frames)).catch((e) => log('control send failed:', e.message));
}

/** busy/idle around a request answered here (the spec asks for them on every request). */
function status(state: 'busy' | 'idle', parent: object): void {
  iopub.publish(encode(signer, [Buffer.from('status')], makeHeader('status', session), parent, { execution_state: state }));
}

const asBuffers = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));

/** The messages of a socket whose signature and frames check out; the others are logged and dropped. */
// One history for control and stdin: a signature is refused again on either socket.
const digests = new DigestHistory();

async function* verified(socket: zmq.Router, name: string): AsyncGenerator<{ frames: Buffer[]; msg: Message }> {
  const rejections = new RejectionLog(name, log);
  for await (const frames of socket) {
    let msg: Message;
    try {
      msg = decode(frames, signer, digests);
    } catch (e) {
      rejections.rejected(e instanceof RejectedMessageError ? e.message : e);
      continue;
    }
    yield { frames, msg };
  }
}

async function controlLoop(): Promise<void> {
  for await (const { frames, msg } of verified(control, 'control')) {
    logDebug('control recv', msg.header.msg_type);
    if (msg.header.msg_type === 'interrupt_request') {
      status('busy', msg.header);
      interrupt(Atomics.load(vmState, EPOCH), 'interrupt_request');
      const h = makeHeader('interrupt_reply', session);
      send(encode(signer, msg.identities, h, msg.header, { status: 'ok' }));
      status('idle', msg.header);
    } else {
      // shutdown_request while a cell spins: break it, so that the main thread can answer and exit
      if (msg.header.msg_type === 'shutdown_request') interrupt(Atomics.load(vmState, EPOCH), 'shutdown_request');
      toMain({ kind: 'control', frames });
    }
  }
}

// The main thread may be idle (awaiting) or busy in user code. Tell it both ways: a message naming the cell
// (handled when it is idle) and SIGINT (breaks any vm run; kernel/sigint.ts makes that safe at any moment). The
// signal goes only to a vm run that has lasted >= 30 ms, i.e. user code that spins, so a short run of other
// work is not cut. Keep watching until the main thread says the interrupt landed (a busy loop may start after
// an await), at most 5 s, and never signal a later cell than the one interrupted.
const vmState = workerData.vmState as Int32Array;
let pending: NodeJS.Timeout | null = null;
let interrupting = 0;
let lastOwnSignal = 0;

function interrupt(epoch: number, how: string): void {
  toMain({ kind: 'interrupt', epoch, how });
  interrupting = epoch;
  if (pending) return;
  let ticks = 0;
  let lastRun = -1;
  let sameRunTicks = 0;
  pending = setInterval(() => {
    if (++ticks > 1000) return stopWatching();
    const now = Atomics.load(vmState, EPOCH);
    if (now !== 0 && now !== interrupting) return stopWatching(); // a new cell runs: not ours to break
    const run = Atomics.load(vmState, RUN);
    sameRunTicks = Atomics.load(vmState, IN_VM) === 1 && run === lastRun ? sameRunTicks + 1 : 0;
    lastRun = run;
    if (sameRunTicks === 6) {
      // ~30 ms: a run that was only preempted under load is not spinning code
      lastOwnSignal = Date.now();
      process.kill(process.pid, 'SIGINT');
    }
    if (sameRunTicks > 20) sameRunTicks = 0; // still spinning 100 ms later: signal again
  }, 5);
}

function stopWatching(): void {
  if (pending) clearInterval(pending);
  pending = null;
}

/**
 * A SIGINT that sigint-holder.ts heard, for the cell that was current when it woke. It hears ours too: those
 * name the cell being interrupted, unless heard late, after a new cell began; one that names another cell
 * within 150 ms of ours is taken for ours (an outside SIGINT that close is dropped; press again).
 */
function onSigint(epoch: number): void {
  if (epoch === 0 || (pending && epoch === interrupting)) return;
  if (epoch !== interrupting && Date.now() - lastOwnSignal < 150) return logDebug(`SIGINT for cell ${epoch} taken for ours`);
  interrupt(epoch, 'SIGINT');
}

async function stdinLoop(): Promise<void> {
  for await (const { msg } of verified(stdin, 'stdin')) {
    const parent = msg.parent_header.msg_id;
    if (msg.header.msg_type !== 'input_reply' || awaitingInput === null || (parent !== undefined && parent !== awaitingInput)) {
      log(`stdin: ignored ${msg.header.msg_type.slice(0, 40)} (no input_request waits for it)`);
      continue;
    }
    inputPort.postMessage({ id: awaitingInput, value: msg.content.value });
    awaitingInput = null;
    Atomics.store(inputFlag, 0, 1);
    Atomics.notify(inputFlag, 0);
  }
}

/** Like ipykernel: drop replies that are already waiting (answers to an earlier, interrupted prompt), then ask. */
async function askInput(id: string, frames: Buffer[]): Promise<void> {
  awaitingInput = null;
  for (let i = 0; i < 100 && stdin.readable; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r)); // stdinLoop handles what it just read while nothing waits
  awaitingInput = id;
  await stdin.send(frames).catch((e) => log('stdin send failed:', e.message));
}

async function hbLoop(): Promise<void> {
  for await (const [m] of hb) await hb.send(m);
}

async function main(): Promise<void> {
  await control.bind(endpoint(conn, conn.control_port));
  const stopLogging = logDisconnects(control, 'control', logInfo);
  await hb.bind(endpoint(conn, conn.hb_port));
  await iopub.bind(endpoint(conn, conn.iopub_port));
  await stdin.bind(endpoint(conn, conn.stdin_port));
  parentPort!.on('message', (m: ToControl) => {
    switch (m.kind) {
      case 'stream':
      case 'iopub':
      case 'batch':
        for (const o of m.kind === 'batch' ? m.messages : [m]) {
          if (o.kind === 'stream') iopub.stream(o.parent, o.name, o.text);
          else iopub.publish(asBuffers(o.frames));
        }
        return released(outbound, outboundBytes(m));
      case 'sigint':
        return onSigint(m.epoch);
      case 'input':
        return void askInput(m.id, asBuffers(m.frames));
      case 'input-cancel':
        awaitingInput = null;
        return;
      case 'interrupted':
        return stopWatching();
      case 'send':
        return send(asBuffers(m.frames));
      case 'close':
        // Close our sockets here, on their own thread, then end the thread: terminating it from outside while
        // zeromq sockets are open aborts the process (Napi::Error).
        return void Promise.all([sending, iopub.flushed()]).finally(() => {
          stopLogging();
          control.close();
          hb.close();
          iopub.close();
          stdin.close();
          setImmediate(() => process.exit(0));
        });
      default:
        return unreachable(m, 'main-thread message');
    }
  });
  toMain({ kind: 'ready' });
  await Promise.all([controlLoop(), hbLoop(), stdinLoop()]).catch((e) => {
    if (!control.closed) log('control worker:', e);
  });
}

main().catch((e) => {
  log('control worker failed:', e);
  toMain({ kind: 'failed', error: safeString(e) });
});
