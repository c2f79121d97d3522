// Control + heartbeat on their own thread, so that interrupt_request and heartbeats are answered while the main
// thread is stuck in user code (`while (true) {}`). Interrupt = SIGINT to our own process: the main thread's
// vm breakOnSigint / SIGINT listener does the rest (see runtime.ts). Other control messages go to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { ConnectionInfo, endpoint, MAX_MESSAGE_BYTES } from './connection';
import { decode, encode, makeHeader, Signer, WireError } from './wire';
import { log } from './log';

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
    if (msg.header.msg_type === 'interrupt_request') {
      process.kill(process.pid, 'SIGINT');
      const h = makeHeader('interrupt_reply', session);
      send(encode(signer, msg.identities, h, msg.header, { status: 'ok' }));
    } else {
      parentPort!.postMessage({ kind: 'control', frames });
    }
  }
}

async function hbLoop(): Promise<void> {
  for await (const [m] of hb) await hb.send(m);
}

async function main(): Promise<void> {
  await control.bind(endpoint(conn, conn.control_port));
  await hb.bind(endpoint(conn, conn.hb_port));
  parentPort!.on('message', (m: { kind: string; frames?: Buffer[] }) => {
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
