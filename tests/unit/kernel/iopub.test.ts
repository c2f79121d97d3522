// The iopub socket's stalled-reader rule, against real zeromq sockets. In CI (Node 24) a client that was already
// retrying its connect when the kernel bound was never counted as a peer, so a subscriber that never read held
// back every message for the real client (1,998 of 3,000 displays, no idle in 90 s).
import { afterEach, expect, test } from '@jest/globals';
import * as zmq from 'zeromq';

process.env.FLOWBOOK_IOPUB_STALL_MS = '300';
process.env.FLOWBOOK_LOG = 'off';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Iopub } = require('../../../kernel/protocol/iopub') as typeof import('../../../kernel/protocol/iopub');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Signer, encode, makeHeader } = require('../../../kernel/protocol/wire') as typeof import('../../../kernel/protocol/wire');

const sockets: { close(): void }[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

test('clients connected before the bind count as peers: a subscriber that never reads does not hold back one that does', async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const address = `tcp://127.0.0.1:${port}`;
  // both retry their connect until the kernel binds, as a client started with the kernel does
  const reader = new zmq.Subscriber({ linger: 0 });
  const stalled = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 10 });
  for (const s of [reader, stalled]) {
    s.connect(address);
    s.subscribe();
    sockets.push(s);
  }
  await new Promise((r) => setTimeout(r, 200));
  const iopub = new Iopub(new Signer(''), 'test');
  sockets.push(iopub);
  const bound = iopub.bind(address);
  const until = Date.now() + 300; // a loaded thread: bind's continuation runs after the accepts
  while (Date.now() < until);
  await bound;
  await new Promise((r) => setTimeout(r, 300));

  const total = 3000;
  const payload = 'x'.repeat(2000);
  for (let i = 0; i < total; i++) {
    iopub.publish(encode(new Signer(''), [Buffer.from('display_data')], makeHeader('display_data', 'test'), {}, { i, payload }));
  }
  let got = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((r) => (timer = setTimeout(() => r(null), 30_000)));
  while (got < total && (await Promise.race([reader.receive(), timedOut]))) got++;
  clearTimeout(timer);
  expect(got).toBe(total);
}, 40_000);
