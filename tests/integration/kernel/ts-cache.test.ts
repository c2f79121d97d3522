// The kernel loads typescript through a V8 code cache (kernel/ts-cache.ts): written on first start (0600, in a
// 0700 directory), used on the next, replaced when V8 rejects it, ignored when others could have written it.
import { afterAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient } from '../../bench/kernel-client';
import { MAIN, KERNEL_ARGV } from './helpers';

const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-tscache-')), 'cache');
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

/** Starts a kernel, runs a TypeScript cell, returns how it loaded typescript (from its log). */
async function start(): Promise<string> {
  const k = new KernelClient();
  await k.start(KERNEL_ARGV, { ...process.env, FLOWBOOK_LOG: 'on', FLOWBOOK_CACHE_DIR: dir });
  try {
    await k.ready();
    const r = await k.execute('const n: number = 41; n + 1');
    expect(r.iopub.find((m) => m.header.msg_type === 'execute_result')?.content.data['text/plain']).toBe('42');
    return /typescript loaded in \d+ ms \(code cache: ([a-z ]+)\)/.exec(k.stderr)?.[1] ?? `no log line in:\n${k.stderr}`;
  } finally {
    await k.close();
  }
}

const cacheFiles = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : []);

test('first start writes the cache privately, the next start uses it', async () => {
  expect(await start()).toBe('none yet');
  const [file] = cacheFiles();
  expect(file).toMatch(/^typescript-.*\.v8cache$/);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
  expect(await start()).toBe('used');
});

test('a corrupt cache is rejected by V8 and rewritten; the kernel works either way', async () => {
  const file = path.join(dir, cacheFiles()[0]);
  fs.writeFileSync(file, Buffer.alloc(4096, 7), { mode: 0o600 });
  expect(await start()).toBe('rejected');
  expect(await start()).toBe('used');
});

test('a cache file that others may write is not read', async () => {
  const file = path.join(dir, cacheFiles()[0]);
  fs.chmodSync(file, 0o666);
  expect(await start()).toBe('none yet');
});
