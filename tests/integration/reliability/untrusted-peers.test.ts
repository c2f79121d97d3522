// Issue 17 items 15, 16, 17: what anyone who can reach the kernel's ports can do without the key. Before the fix
// the heartbeat echoed a keyless 300 MB frame (RSS 113 -> 507 MB), 50k unsigned messages added 3.8 MB to the
// log, and a byte-identical replay of a signed execute_request ran its cell again.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as zmq from 'zeromq';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, rssMB, sleep, startKernel, waitFor } from './helpers';

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel({ FLOWBOOK_LOG: 'on' });
  await evalText(k, 'let runs = 0');
});
afterAll(() => k?.close());

async function heartbeat(payload: Buffer, ms: number): Promise<Buffer | null> {
  const req = new zmq.Request({ linger: 0, sendTimeout: ms, receiveTimeout: ms });
  req.connect(`tcp://127.0.0.1:${k.conn.hb_port}`);
  try {
    await req.send(payload);
    const [echo] = await req.receive();
    return Buffer.from(echo);
  } catch {
    return null;
  } finally {
    req.close();
  }
}

describe('heartbeat', () => {
  test('echoes a ping, refuses a 100 MB frame without holding it, and still echoes afterwards', async () => {
    expect(await heartbeat(Buffer.from('ping'), 5000)).toEqual(Buffer.from('ping'));
    const before = rssMB(k.proc.pid!);
    expect(await heartbeat(Buffer.alloc(100 * 1024 * 1024, 1), 5000)).toBeNull();
    const grew = rssMB(k.proc.pid!) - before;
    console.log(`heartbeat: a 100 MB frame grew the kernel's RSS by ${grew.toFixed(1)} MB`);
    expect(grew).toBeLessThan(50);
    expect(await heartbeat(Buffer.from('ping'), 5000)).toEqual(Buffer.from('ping'));
  });
});

describe('rejected messages', () => {
  test('5,000 unsigned messages add a few lines to the log, then one summary line', async () => {
    const logBefore = k.stderr.length;
    for (let i = 0; i < 5000; i++) await k.sendRaw('shell', k.frames('execute_request', { code: 'runs++' }, { badSignature: true }).frames);
    expect(await evalText(k, 'runs')).toBe('0');
    const added = k.stderr.length - logBefore;
    console.log(`5,000 unsigned messages added ${added} bytes to the log`);
    expect(added).toBeLessThan(20_000);
    await waitFor(() => /dropped \d+ more messages/.test(k.stderr.slice(logBefore)), 'the summary line', 20_000);
    expect(k.stderr.slice(logBefore)).toMatch(/shell: dropped 49\d\d more messages in 10 s \(latest: bad signature\)/);
  });
});

describe('replayed signed messages', () => {
  test('a byte-identical replay of an execute_request on shell is refused: the cell runs once', async () => {
    const { id, frames } = k.frames('execute_request', { code: 'runs++; runs', silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
    await k.sendRaw('shell', frames);
    await k.waitIopub(id, (ms) => ms.some((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle'));
    await k.sendRaw('shell', frames);
    await sleep(500);
    expect(await evalText(k, 'runs')).toBe('1');
    // logged at once, or (after the flood above) in the next summary line
    await waitFor(() => k.stderr.includes('replayed message'), 'the replay in the log', 20_000);
  });

  test('a replayed control request gets one reply only', async () => {
    const { id, frames } = k.frames('kernel_info_request', {});
    await k.sendRaw('control', frames);
    await k.sendRaw('control', frames);
    await k.waitIopub(id, (ms) => ms.filter((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle').length >= 1);
    await sleep(1000);
    const idles = (k.byParent.get(id) ?? []).filter((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle');
    expect(idles).toHaveLength(1);
  });
});
