// Control + heartbeat on their own thread, so that interrupt_request and heartbeats are answered while the main
// thread is stuck in user code (`while (true) {}`). Interrupt = SIGINT to our own process: the main thread's
// vm breakOnSigint / SIGINT listener does the rest (see runtime.ts). Other control messages go to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { ConnectionInfo, endpoint, MAX_MESSAGE_BYTES } from './connection';
import { decode, encode, makeHeader, Signer, WireError } from './wire';
import { log, logDebug } from './log';

const conn = workerData.conn as ConnectionInfo;
const session = workerData.session as string;
const signer = new Signer(conn.key, conn.signature_scheme);
const control = new zmq.Router({ maxMessageSize: MAX_MESSAGE_BYTES });
const hb = new zmq.Reply();
let sending = Promise.resolve();

function send(frames: Buffer[]): void {
  sending = sending.then(() => control.send(frames)).catch((e) => log('control send failed:', e.message));
}

async function controlLoop(): Promise<void> {
  for await (const frames of control) {
    let msg;
    try {
      msg = decode(frames, signer);
    } catch (e) {
      log('control: dropped message:', e instanceof WireError ? e.message : e);
      continue;
    }
    logDebug('control recv', msg.header.msg_type);
    if (msg.header.msg_type === 'interrupt_request') {
      interrupt();
      const h = makeHeader('interrupt_reply', session);
      send(encode(signer, msg.identities, h, msg.header, { status: 'ok' }));
    } else {
      parentPort!.postMessage({ kind: 'control', frames });
    }
  }
}

// The main thread may be idle (awaiting) or busy in user code. Tell it both ways: a message (handled when it is
// idle) and SIGINT (breaks vm code run with breakOnSigint). SIGINT is sent only while the same vm run has lasted
// >= 10 ms (vmState from runtime.ts): in the microseconds around a run a SIGINT kills Node (measured). Keep
// watching until the main thread says the interrupt landed (a busy loop may start after an await), at most 5 s.
const vmState = workerData.vmState as Int32Array;
let pending: NodeJS.Timeout | null = null;
function interrupt(): void {
  parentPort!.postMessage({ kind: 'interrupt' });
  if (pending) return;
  let ticks = 0;
  let lastRun = -1;
  let sameRunTicks = 0;
  const stop = () => {
    if (pending) clearInterval(pending);
    pending = null;
  };
  pending = setInterval(() => {
    if (++ticks > 1000) return stop();
    const inVm = Atomics.load(vmState, 0) === 1;
    const run = Atomics.load(vmState, 1);
    sameRunTicks = inVm && run === lastRun ? sameRunTicks + 1 : 0;
    lastRun = run;
    if (sameRunTicks === 2) process.kill(process.pid, 'SIGINT');
    if (sameRunTicks > 20) sameRunTicks = 0; // still spinning 100 ms later: signal again
  }, 5);
  interruptAcked = stop;
}
let interruptAcked: () => void = () => {};

async function hbLoop(): Promise<void> {
  for await (const [m] of hb) await hb.send(m);
}

async function main(): Promise<void> {
  await control.bind(endpoint(conn, conn.control_port));
  await hb.bind(endpoint(conn, conn.hb_port));
  parentPort!.on('message', (m: { kind: string; frames?: Buffer[] }) => {
    if (m.kind === 'interrupted') interruptAcked();
    if (m.kind === 'send' && m.frames) send(m.frames.map((f) => Buffer.from(f)));
    if (m.kind === 'close') {
      // Close our sockets here, on their own thread, then end the thread: terminating it from outside while
      // zeromq sockets are open aborts the process (Napi::Error).
      void sending.finally(() => {
        control.close();
        hb.close();
        setImmediate(() => process.exit(0));
      });
    }
  });
  parentPort!.postMessage({ kind: 'ready' });
  await Promise.all([controlLoop(), hbLoop()]).catch((e) => {
    if (!control.closed) log('control worker:', e);
  });
}

main().catch((e) => {
  log('control worker failed:', e);
  parentPort!.postMessage({ kind: 'failed', error: String(e) });
});
