// Bad input on the raw protocol: each is logged, none is executed, and the kernel keeps answering.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient } from '../../bench/kernel-client';
import { MAIN, KERNEL_ARGV } from './helpers';

const MAX = 100_000;
let k: KernelClient;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-bad-'));

beforeAll(async () => {
  k = new KernelClient();
  await k.start(KERNEL_ARGV, { ...process.env, FLOWBOOK_MAX_MESSAGE_BYTES: String(MAX) });
  await k.ready();
});
afterAll(async () => {
  await k.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function stillAnswers(): Promise<void> {
  const r = await k.execute('"still here"');
  expect(r.reply.content.status).toBe('ok');
  expect(k.alive()).toBe(true);
}

test('malformed messages are dropped and logged', async () => {
  await k.sendRaw('shell', [Buffer.from('garbage')]);
  const { frames } = k.frames('execute_request', { code: '1' });
  frames[5] = Buffer.from('{not json'); // content, correctly signed: only the JSON is bad
  frames[1] = Buffer.from(k.sign(frames.slice(2, 6)));
  await k.sendRaw('shell', frames);
  await stillAnswers();
  expect(k.stderr).toMatch(/dropped message: malformed message/);
  expect(k.stderr).toMatch(/dropped message: malformed JSON/);
});

test('a message with a bad signature is never executed', async () => {
  const file = path.join(tmp, 'pwned');
  const code = `require("node:fs").writeFileSync(${JSON.stringify(file)}, "x")`;
  await k.sendRaw('shell', k.frames('execute_request', { code, silent: false }, { badSignature: true }).frames);
  await k.sendRaw('control', k.frames('execute_request', { code }, { badSignature: true }).frames);
  await stillAnswers(); // shell is in order: the bad one came first
  expect(fs.existsSync(file)).toBe(false);
  expect(k.stderr).toMatch(/dropped message: bad signature/);
  expect(k.stderr).not.toContain(k.key);
});

test('an unknown msg_type is logged and ignored', async () => {
  await k.sendRaw('shell', k.frames('no_such_request', {}).frames);
  await stillAnswers();
  expect(k.stderr).toMatch(/ignoring unknown message type "no_such_request"/);
});

test('an oversized message is refused by zeromq and the kernel still answers', async () => {
  const file = path.join(tmp, 'big');
  const code = `require("node:fs").writeFileSync(${JSON.stringify(file)}, "x") // ${'x'.repeat(MAX * 2)}`;
  await k.sendRaw('shell', k.frames('execute_request', { code }).frames);
  // zeromq drops the connection of a peer that exceeds maxMessageSize; our dealer reconnects by itself, and
  // messages sent before it did may be lost, so ask until the kernel answers.
  await k.ready();
  await stillAnswers();
  expect(fs.existsSync(file)).toBe(false);
});

test('a cell that throws a non-Error value', async () => {
  const r = await k.execute('throw "just a string"');
  expect(r.reply.content).toMatchObject({ status: 'error', ename: 'Thrown string', evalue: "'just a string'" });
  const o = await k.execute('throw null');
  expect(o.reply.content).toMatchObject({ status: 'error', ename: 'Thrown null' });
  await stillAnswers();
});

test('an unhandled rejection in the background is reported to the cell that caused it', async () => {
  const a = await k.execute('setTimeout(() => { Promise.reject("bg string") }, 30); "started"');
  const b = k.execute('await new Promise((r) => setTimeout(r, 200)); "other cell"');
  const ms = await k.waitIopub(a.id, (xs) => xs.some((m) => m.header.msg_type === 'error'));
  expect(ms.find((m) => m.header.msg_type === 'error')!.content.evalue).toBe("'bg string'");
  const rb = await b;
  expect(rb.iopub.some((m) => m.header.msg_type === 'error')).toBe(false);
  await stillAnswers();
});
