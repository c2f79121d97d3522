// JupyterLab's own client library (@jupyterlab/services) through a real jupyter_server: start a flowbook kernel
// in a session, execute, receive iopub, interrupt `while (true) {}`, restart, shut down.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { KernelManager, ServerConnection, SessionManager, KernelMessage } from '@jupyterlab/services';
import { jupyterEnv, PYTHON } from './helpers';

const jenv = jupyterEnv();
const token = randomBytes(12).toString('hex');
let server: ChildProcess;
let baseUrl = '';
let kernels: KernelManager;
let sessions: SessionManager;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}/`;
  server = spawn(PYTHON, ['-m', 'jupyter_server', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`,
    '--port-retries=0', `--ServerApp.token=${token}`, `--ServerApp.root_dir=${jenv.dir}`], { env: jenv.env, stdio: 'ignore' });
  for (;;) {
    const ok = await fetch(`${baseUrl}api/status?token=${token}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (server.exitCode !== null) throw new Error('jupyter_server exited');
    await new Promise((r) => setTimeout(r, 100));
  }
  const serverSettings = ServerConnection.makeSettings({ baseUrl, token });
  kernels = new KernelManager({ serverSettings });
  sessions = new SessionManager({ serverSettings, kernelManager: kernels });
  await kernels.ready;
}, 60_000);

afterAll(async () => {
  sessions?.dispose();
  kernels?.dispose();
  server?.kill('SIGTERM');
  await new Promise((r) => server?.once('exit', r));
  jenv.cleanup();
});

async function run(kernel: any, code: string, onStarted?: () => void) {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = (m: KernelMessage.IIOPubMessage) => {
    iopub.push(m);
    if (m.header.msg_type === 'execute_input') onStarted?.();
  };
  const reply = await future.done;
  return { reply: reply.content as any, iopub };
}

test('session: execute, iopub, interrupt, restart, shutdown', async () => {
  const session = await sessions.startNew({ path: 'a.ipynb', type: 'notebook', name: 'a.ipynb', kernel: { name: 'flowbook' } });
  const kernel = session.kernel!;
  const info = await kernel.info;
  expect(info.language_info.name).toBe('typescript');
  expect((info as any).status).toBe('ok');

  const a = await run(kernel, 'const n = 6\nconsole.log("from lab")\nn * 7');
  expect(a.reply.status).toBe('ok');
  const types = a.iopub.map((m) => m.header.msg_type);
  expect(types).toEqual(expect.arrayContaining(['status', 'execute_input', 'stream', 'execute_result']));
  expect((a.iopub.find((m) => m.header.msg_type === 'execute_result')!.content as any).data['text/plain']).toBe('42');

  const looping = run(kernel, 'while (true) {}', () => void kernel.interrupt());
  const b = await looping;
  expect(b.reply.status).toBe('error');
  expect(b.reply.ename).toBe('KeyboardInterrupt');
  expect((await run(kernel, 'n')).reply.status).toBe('ok');

  await kernel.restart();
  const c = await run(kernel, 'typeof n');
  expect((c.iopub.find((m) => m.header.msg_type === 'execute_result')!.content as any).data['text/plain']).toBe("'undefined'");

  await session.shutdown();
  const running = await fetch(`${baseUrl}api/kernels?token=${token}`).then((r) => r.json());
  expect(running).toEqual([]);
}, 60_000);
