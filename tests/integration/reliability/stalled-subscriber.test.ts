// Issue 17 item 6: a keyless iopub subscriber that never reads must not freeze the real client. Before the fix,
// after 3,000 display.html calls the client had 1,498 displays, no result and no idle within 90 s (iopub is
// no-drop, so one full pipe held back every message for everyone).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as zmq from 'zeromq';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, ofType, sleep, startKernel } from './helpers';

let k: KernelClient;
let idle: zmq.Subscriber;
beforeAll(async () => {
  k = await startKernel();
  await evalText(k, '1');
  // no key needed to subscribe; a small receive buffer and never a read
  idle = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 10 });
  idle.connect(`tcp://127.0.0.1:${k.conn.iopub_port}`);
  idle.subscribe();
  await sleep(500);
});
afterAll(async () => {
  idle?.close();
  await k?.close();
});

test('3,000 display.html calls with a subscriber that never reads: the client gets every display, the result and idle', async () => {
  const t0 = Date.now();
  const run = k.execute("for (let i = 0; i < 3000; i++) display.html('<b>' + 'x'.repeat(2000) + i + '</b>'); 'done'");
  const r = await Promise.race([run, sleep(90_000).then(() => null)]);
  const got = ofType([...k.byParent.values()].flat(), 'display_data').length;
  console.log(`stalled subscriber: reply ${r ? `in ${Date.now() - t0} ms` : 'missing after 90 s'}, ${got} of 3000 displays`);
  if (!r) console.log(`kernel log tail:\n${k.stderr.slice(-1500)}`);
  expect(r).not.toBeNull();
  expect(r!.reply.content.status).toBe('ok');
  expect(ofType(r!.iopub, 'display_data')).toHaveLength(3000);
  expect(ofType(r!.iopub, 'execute_result')[0].content.data['text/plain']).toBe("'done'");
  expect(await evalText(k, '2 + 2')).toBe('4');
}, 120_000);
