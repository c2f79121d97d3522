// JupyterLab's own client library (@jupyterlab/services) through a real jupyter_server: start a flowbook kernel
// in a session, execute, receive iopub, interrupt `while (true) {}`, restart, shut down.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { KernelMessage } from '@jupyterlab/services';
import { startJupyterServer, type JupyterServer } from '../jupyter-server';

let server: JupyterServer;
let kernels: JupyterServer['kernels'];
let sessions: JupyterServer['sessions'];

beforeAll(async () => {
  server = await startJupyterServer();
  ({ kernels, sessions } = server);
}, 60_000);

afterAll(async () => server?.stop());

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
  const running = await fetch(`${server.baseUrl}api/kernels?token=${server.settings.token}`).then((r) => r.json());
  expect(running).toEqual([]);
}, 60_000);
