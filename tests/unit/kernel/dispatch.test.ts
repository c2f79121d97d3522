// The dispatcher without sockets: busy/idle around every request, the reply type, order on shell, control not
// queued behind a running cell, the stop_on_error abort boundary, a failing handler.
import { describe, expect, test } from '@jest/globals';
import { Dispatcher, type Channel } from '../../../kernel/protocol/dispatch';
import type { ExecuteReply, Shell } from '../../../kernel/protocol/shell-api';
import { makeHeader, type Message } from '../../../kernel/protocol/wire';

function request(msgType: string, content: Record<string, unknown> = {}): Message {
  return { identities: [], header: makeHeader(msgType, 's'), parent_header: {}, metadata: {}, content, buffers: [] } as unknown as Message;
}

/** A shell whose cells finish when the test says so. */
function scriptedShell() {
  const running: { code: string; finish: (r: ExecuteReply) => void }[] = [];
  let count = 0;
  const shell: Shell = {
    get executionCount() { return count; },
    interruptState: new Int32Array(3),
    execute: (msg) => new Promise((finish) => running.push({ code: String(msg.content.code), finish: (r) => { count++; finish(r); } })),
    complete: () => ({ status: 'ok', matches: ['x'] }),
    inspect: () => { throw new Error('inspect broke'); },
    isComplete: () => ({ status: 'complete' }),
    history: () => [],
    interrupt: () => {},
    onInterrupted: () => {},
    stop: async () => {},
  };
  return { shell, running };
}

function dispatcher(shell: Shell | (() => Shell)) {
  const events: string[] = [];
  let shutdowns = 0;
  const d = new Dispatcher(shell, {
    reply: (msg: Message, channel: Channel, content: any) => events.push(`${channel} reply ${msg.header.msg_type} ${content?.status ?? ''}`.trim()),
    publish: (t: string, c: any) => events.push(`${t} ${c.execution_state ?? ''}`.trim()),
    kernelInfo: () => ({ status: 'ok' }),
    shutdown: async () => void shutdowns++,
  });
  return { d, events, shutdowns: () => shutdowns };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('Dispatcher', () => {
  test('busy, reply, idle around a request; the reply type is the request type', async () => {
    const { shell } = scriptedShell();
    const { d, events } = dispatcher(shell);
    d.accept(request('kernel_info_request'), 'shell');
    await d.drained();
    expect(events).toEqual(['status busy', 'shell reply kernel_info_request ok', 'status idle']);
  });

  test('a shell loaded on first need: kernel_info is answered without it, an execute loads it', async () => {
    const { shell, running } = scriptedShell();
    let loads = 0;
    const { d, events } = dispatcher(() => (loads++, shell));
    d.accept(request('kernel_info_request'), 'shell');
    d.accept(request('comm_info_request'), 'shell');
    await d.drained();
    expect(loads).toBe(0);
    d.accept(request('execute_request', { code: 'a' }), 'shell');
    await tick();
    expect(running.map((r) => r.code)).toEqual(['a']);
    running[0].finish({ status: 'ok', execution_count: 1 });
    await d.drained();
    expect(loads).toBeGreaterThan(0);
    expect(events.filter((e) => e.includes('reply'))).toEqual([
      'shell reply kernel_info_request ok', 'shell reply comm_info_request ok', 'shell reply execute_request ok',
    ]);
  });

  test('a handler that throws is logged; idle still follows; unknown types are ignored', async () => {
    const { shell } = scriptedShell();
    const { d, events } = dispatcher(shell);
    d.accept(request('inspect_request', { code: 'x', cursor_pos: 1 }), 'shell');
    d.accept(request('no_such_request'), 'shell');
    await d.drained();
    expect(events).toEqual(['status busy', 'status idle']);
  });

  test('shell requests wait for the running cell; control requests do not', async () => {
    const { shell, running } = scriptedShell();
    const { d, events, shutdowns } = dispatcher(shell);
    d.accept(request('execute_request', { code: 'spin' }), 'shell');
    d.accept(request('complete_request', { code: 'x', cursor_pos: 1 }), 'shell');
    await tick();
    d.accept(request('shutdown_request', { restart: false }), 'control');
    await tick();
    expect(events).toContain('control reply shutdown_request ok');
    expect(shutdowns()).toBe(1);
    expect(events.some((e) => e.includes('complete_request'))).toBe(false); // still queued behind the cell
    running[0].finish({ status: 'ok', execution_count: 1 });
    await d.drained();
    expect(events.filter((e) => e.includes('reply'))).toEqual([
      'control reply shutdown_request ok', 'shell reply execute_request ok', 'shell reply complete_request ok']);
  });

  test('stop_on_error aborts what was queued before the error, not what came after the reply', async () => {
    const { shell, running } = scriptedShell();
    const { d, events } = dispatcher(shell);
    d.accept(request('execute_request', { code: 'fail' }), 'shell');
    d.accept(request('execute_request', { code: 'queued' }), 'shell');
    await tick();
    running[0].finish({ status: 'error', execution_count: 1 });
    await d.drained();
    expect(events.filter((e) => e.includes('reply'))).toEqual(['shell reply execute_request error', 'shell reply execute_request aborted']);
    d.accept(request('execute_request', { code: 'after' }), 'shell');
    await tick();
    expect(running.map((r) => r.code)).toEqual(['fail', 'after']);
    running[1].finish({ status: 'ok', execution_count: 2 });
    await d.drained();
  });
});
