// The live %%flow table, seen by the client JupyterLab uses: one display_id, updated several times while the
// cell runs (update_display_data on iopub), so the output streams rather than arriving at the end.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { KernelMessage } from '@jupyterlab/services';
import { startJupyterServer, type JupyterServer } from '../jupyter-server';

let server: JupyterServer;
beforeAll(async () => { server = await startJupyterServer(); });
afterAll(async () => server?.stop());

test('%%flow of slow tasks sends more than one update_display_data for the same display_id', async () => {
  const kernel = await server.kernels.startNew({ name: 'flowbook' });
  try {
    const messages: KernelMessage.IIOPubMessage[] = [];
    const future = kernel.requestExecute({
      code: [
        '%%flow',
        'const slow = flow.functionTask(async function slow(i: number) { await new Promise((r) => setTimeout(r, 150 * (i + 1))); return i; });',
        'await Promise.all([0, 1, 2, 3, 4, 5].map((i) => slow(i)));',
      ].join('\n'),
    });
    future.onIOPub = (msg) => void messages.push(msg);
    const reply = await future.done;
    expect(reply.content.status).toBe('ok');

    const displays = messages.filter((m) => m.header.msg_type === 'display_data');
    const liveId = (displays[0].content as { transient?: { display_id?: string } }).transient?.display_id;
    expect(liveId).toBeTruthy();
    const updates = messages.filter((m) => m.header.msg_type === 'update_display_data'
      && (m.content as { transient: { display_id: string } }).transient.display_id === liveId);
    expect(updates.length).toBeGreaterThan(1);
    // The updates arrive while tasks run: an intermediate one shows a task still running.
    const texts = updates.map((m) => String((m.content as { data: Record<string, string> }).data['text/plain']));
    expect(texts.some((t) => /[1-9]\d* running/.test(t))).toBe(true);
    expect(texts[texts.length - 1]).toMatch(/6 tasks, 0 running, 6 done/);
    // Then the Gantt chart, and the cell's value as the result.
    expect(displays.some((m) => 'application/vnd.vegalite.v5+json' in (m.content as { data: object }).data)).toBe(true);
    expect(messages.some((m) => m.header.msg_type === 'execute_result')).toBe(true);
  } finally {
    await kernel.shutdown();
  }
});
