// The output path to the control thread without threads: a turn's output goes as one post, at once while user
// code holds the thread, and in order before any other message; the gate counts a batch as one message.
import { describe, expect, test } from '@jest/globals';
import { OutboundGate, OutputBatch, outboundBytes, released } from '../../../kernel/protocol/outbound';
import type { Output, ToControl } from '../../../kernel/protocol/messages';

const stream = (text: string): Output => ({ kind: 'stream', parent: {}, name: 'stdout', text });
const turn = () => new Promise((r) => setImmediate(r));

function setup() {
  const gate = new OutboundGate();
  const posts: ToControl[] = [];
  let userCode = false;
  const batch = new OutputBatch(gate, (m) => posts.push(m), () => userCode);
  const kinds = () => posts.map((m) => (m.kind === 'batch' ? `batch(${m.messages.length})` : m.kind));
  return { gate, posts, batch, kinds, setUserCode: (v: boolean) => (userCode = v) };
}

describe('OutputBatch', () => {
  test('what one turn publishes is posted once, after the turn, as one message in flight', async () => {
    const { gate, posts, batch, kinds } = setup();
    batch.add(stream('a'), 1);
    batch.add(stream('bb'), 2);
    batch.add(stream('ccc'), 3);
    expect(posts).toEqual([]);
    await turn();
    expect(kinds()).toEqual(['batch(3)']);
    expect(Array.from(gate.shared)).toEqual([6, 1]); // bytes, messages
    expect(outboundBytes(posts[0] as { messages: Output[] })).toBe(6);
    released(gate.shared, outboundBytes(posts[0] as { messages: Output[] }));
    expect(Array.from(gate.shared)).toEqual([0, 0]);
  });

  test('a single message is posted as itself', async () => {
    const { batch, kinds } = setup();
    batch.add(stream('x'), 1);
    await turn();
    expect(kinds()).toEqual(['stream']);
  });

  test('while user code holds the thread, output goes at once, after what was batched before it', () => {
    const { posts, batch, setUserCode } = setup();
    batch.add(stream('execute_input'), 1);
    setUserCode(true);
    batch.add(stream('printed in the cell'), 1);
    expect(posts.map((m) => (m.kind === 'stream' ? m.text : m.kind))).toEqual(['execute_input', 'printed in the cell']);
  });

  test('flush() posts what is batched (before an input_request or a reply on control)', async () => {
    const { batch, kinds } = setup();
    batch.add(stream('a'), 1);
    batch.add(stream('b'), 1);
    batch.flush();
    expect(kinds()).toEqual(['batch(2)']);
    await turn();
    expect(kinds()).toEqual(['batch(2)']); // nothing twice
  });

  test('a long turn does not grow one batch without bound', () => {
    const { batch, posts } = setup();
    for (let i = 0; i < 200; i++) batch.add(stream('x'), 1);
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const m of posts) expect(m.kind === 'batch' ? m.messages.length : 1).toBeLessThanOrEqual(64);
  });
});
