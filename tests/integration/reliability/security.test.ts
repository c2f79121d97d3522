// Security: unsigned / mis-signed / altered messages never run; the kernel binds only to the connection file's
// ip; the key never reaches the log or any output.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KernelClient } from '../../bench/kernel-client';
import { MAIN } from '../kernel/helpers';
import { evalText, startKernel, tempDir, waitFor } from './helpers';

let k: KernelClient;
const dir = tempDir('sec');
beforeAll(async () => {
  k = await startKernel({ FLOWBOOK_LOG: 'debug' });
});
afterAll(() => k?.close());

/** A cell that would leave evidence: if any of these runs, `file` appears. */
const evidence = (name: string) => `require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, name))}, 'ran')`;

/** Frames of an execute_request, signed with `key` ('' = empty signature frame). */
function execFrames(code: string, key: string | null): { id: string; parts: Buffer[]; frames: Buffer[] } {
  const header = { msg_id: randomUUID(), session: k.session, username: 'x', date: new Date().toISOString(), msg_type: 'execute_request', version: '5.3' };
  const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false };
  const parts = [header, {}, {}, content].map((x) => Buffer.from(JSON.stringify(x)));
  const sig = key === null ? '' : createHmac('sha256', key).update(Buffer.concat(parts)).digest('hex');
  return { id: header.msg_id, parts, frames: [Buffer.from('<IDS|MSG>'), Buffer.from(sig), ...parts] };
}

describe('HMAC', () => {
  test('wrong, missing and altered-replay signatures are never executed, and are logged', async () => {
    const wrong = execFrames(evidence('wrong-key'), 'not-the-key');
    const empty = execFrames(evidence('empty-signature'), null);
    const noSigFrame = execFrames(evidence('no-signature-frame'), k.key);
    // Replay: a correctly signed harmless cell, then the same frames with the code swapped, signature kept.
    const original = execFrames('"harmless"', k.key);
    const altered = execFrames(evidence('altered-replay'), k.key);
    const replay = [...original.frames.slice(0, 2), original.parts[0], original.parts[1], original.parts[2], altered.parts[3]];
    const forgedShutdown = k.frames('shutdown_request', { restart: false }, { badSignature: true });
    const logBefore = k.stderr.length;

    await k.sendRaw('shell', wrong.frames);
    await k.sendRaw('shell', empty.frames);
    await k.sendRaw('shell', [Buffer.from('<IDS|MSG>'), ...noSigFrame.parts]);
    await k.sendRaw('shell', original.frames);
    await k.sendRaw('shell', replay);
    await k.sendRaw('control', forgedShutdown.frames);
    // Shell requests are handled in order: once this signed cell is answered, the ones before it were handled.
    expect(await evalText(k, '6 * 7')).toBe('42');

    expect(fs.readdirSync(dir)).toEqual([]);
    for (const id of [wrong.id, empty.id, noSigFrame.id]) expect(k.byParent.get(id)).toBeUndefined();
    expect(k.byParent.get(original.id)?.length).toBeGreaterThan(0);
    // Control is read on its own thread: its log line may trail the shell's reply.
    await waitFor(() => /control: dropped message/.test(k.stderr.slice(logBefore)), 'the control rejection to be logged', 5000).catch(() => {});
    const log = k.stderr.slice(logBefore);
    expect(log.match(/shell: dropped message: bad signature/g)?.length).toBe(3);
    expect(log).toMatch(/shell: dropped message: malformed/);
    expect(log).toMatch(/control: dropped message: bad signature/);
    // Still serving: the forged shutdown did nothing.
    expect(k.alive()).toBe(true);
    expect(await evalText(k, 'typeof flow')).toBe("'object'");
  });
});

describe('binding', () => {
  const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  const tryConnect = (host: string, port: number) =>
    new Promise<string>((resolve) => {
      const s = net.connect({ host, port, timeout: 3000 });
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('timeout', () => (s.destroy(), resolve('timeout')));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });

  test('with ip 127.0.0.1 every port is reachable on loopback and refused on the non-loopback address', async () => {
    if (!external) throw new Error(`no non-loopback IPv4 address on this machine (${JSON.stringify(os.networkInterfaces())}): cannot test binding`);
    const ports = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'].map((p) => Number(k.conn[p]));
    const loopback = await Promise.all(ports.map((p) => tryConnect('127.0.0.1', p)));
    const outside = await Promise.all(ports.map((p) => tryConnect(external, p)));
    expect(loopback).toEqual(ports.map(() => 'connected'));
    expect(outside).toEqual(ports.map(() => 'ECONNREFUSED'));
  });
});

describe('the key stays secret', () => {
  const every = () => JSON.stringify([...k.byParent.values()]);

  test('not in the log (debug level) nor in any iopub message of a session with errors, interrupts and bad frames', async () => {
    await k.execute('console.log(process.argv.join(" ")); console.error(JSON.stringify(process.env))');
    await k.execute('throw new Error("boom")');
    await k.execute('%nosuchmagic');
    await k.sendRaw('shell', [Buffer.from('<IDS|MSG>'), Buffer.from('f00d'), Buffer.from('{'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}')]);
    expect(await evalText(k, '1')).toBe('1');
    expect(k.stderr.length).toBeGreaterThan(0);
    expect(k.stderr).not.toContain(k.key);
    expect(every()).not.toContain(k.key);
  });

  test('a connection file the kernel cannot use is reported without its contents', () => {
    const key = `k-${randomUUID()}`;
    const bad = [
      `{"ip": "127.0.0.1", "key": "${key}", "shell_port": 1,}`, // trailing comma: not JSON
      JSON.stringify({ ip: '127.0.0.1', key, signature_scheme: 'hmac-md5', shell_port: 1 }),
    ];
    for (const text of bad) {
      const file = path.join(tempDir('conn'), 'kernel.json');
      fs.writeFileSync(file, text);
      const r = spawnSync(process.execPath, [MAIN, file], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).not.toBe(0);
      expect(r.stderr + r.stdout).not.toContain(key);
      expect(r.stderr).toContain(file);
    }
  });
});

describe('the connection file', () => {
  // Whoever reads it has the key. jupyter_client writes it 0600; the kernel says so when others may read it.
  test('mode 0600 (as jupyter_client writes it): no warning', () => {
    expect(k.stderr).not.toMatch(/connection file .* (is mode|has no key)/);
  });

  test('readable by others: the kernel warns, naming the mode, and never the key', async () => {
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    })));
    const key = randomUUID();
    const file = path.join(dir, 'open-connection.json');
    const names = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'];
    const conn = { transport: 'tcp', ip: '127.0.0.1', key, signature_scheme: 'hmac-sha256', ...Object.fromEntries(names.map((n, i) => [n, ports[i]])) };
    fs.writeFileSync(file, JSON.stringify(conn), { mode: 0o644 });
    fs.chmodSync(file, 0o644); // whatever the umask
    const r = spawnSync(process.execPath, [MAIN, file], { encoding: 'utf8', timeout: 5000, env: { ...process.env, FLOWBOOK_LOG: 'on' } });
    expect(r.stderr).toMatch(/connection file .*open-connection\.json is mode 0644: other users who can read it can run code as you/);
    expect(r.stderr).not.toContain(key);
  }, 30_000);
});
