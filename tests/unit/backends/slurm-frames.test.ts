// The pilot channel's frames: signed, numbered, length-prefixed, capped (extension/backends/slurm/frames.ts).
import { expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { FrameReader, seal, type Opened } from '../../../extension/backends/slurm/frames';

const key = randomBytes(32);
function reader(max = 1 << 20) {
  const got: Opened[] = [];
  const errors: string[] = [];
  const r = new FrameReader(key, 'toHost', max, (f) => got.push(f), (e) => errors.push(e.message));
  return { r, got, errors };
}
const frame = (seq: number, header: unknown, value?: Buffer, k = key, dir: 'toHost' | 'toAgent' = 'toHost') =>
  Buffer.concat(seal(k, dir, seq, header, value));

test('frames arrive whole however the bytes are split, values beside the header', () => {
  const { r, got, errors } = reader();
  const bytes = Buffer.concat([frame(0, { type: 'a' }), frame(1, { type: 'b' }, Buffer.from('xyz')), frame(2, { type: 'c' })]);
  for (let i = 0; i < bytes.length; i += 3) r.push(bytes.subarray(i, i + 3));
  expect(errors).toEqual([]);
  expect(got.map((f) => f.header.type)).toEqual(['a', 'b', 'c']);
  expect(got[1].value?.toString()).toBe('xyz');
});

test('a replayed, reordered, reflected or foreign-key frame is refused, and nothing after it is read', () => {
  for (const bad of [
    Buffer.concat([frame(0, { type: 'a' }), frame(0, { type: 'a' })]), // replay
    frame(1, { type: 'a' }), // skipped ahead
    frame(0, { type: 'a' }, undefined, key, 'toAgent'), // reflected from the other direction
    frame(0, { type: 'a' }, undefined, randomBytes(32)), // another key
  ]) {
    const { r, got, errors } = reader();
    r.push(bad);
    r.push(frame(1, { type: 'late' }));
    expect(errors).toHaveLength(1);
    expect(got.filter((f) => f.header.type === 'late')).toEqual([]);
  }
});

test('garbage and oversized frames are refused from their length alone', () => {
  const big = reader(1000);
  big.r.push(frame(0, { type: 'a' }, Buffer.alloc(2000)).subarray(0, 8));
  expect(big.errors[0]).toMatch(/over the cap of 1000/);
  const junk = reader();
  junk.r.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  expect(junk.errors).toHaveLength(1);
  const flipped = frame(0, { type: 'a' }, Buffer.from('value'));
  flipped[flipped.length - 1] ^= 1;
  const f = reader();
  f.r.push(flipped);
  expect(f.errors).toEqual(['bad signature']);
});
