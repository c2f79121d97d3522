// Issue 17 item 19: the typescript code cache is never written into a directory others can write (it followed
// symlinks planted there, so another user could make the kernel overwrite a file its user owns), and it is keyed
// by the checkout and flowbook's version (one checkout's cache was used by another's).
import { afterAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNEL_ARGV } from '../kernel/helpers';
import { KernelClient } from '../../bench/kernel-client';
import { tempDir } from './helpers';

const root = tempDir('cache');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function runCell(cacheDir: string): Promise<string> {
  const k = new KernelClient();
  await k.start(KERNEL_ARGV, { ...process.env, FLOWBOOK_LOG: 'on', FLOWBOOK_CACHE_DIR: cacheDir });
  try {
    await k.ready();
    await k.execute('const n: number = 1; n');
    await new Promise((r) => setTimeout(r, 500)); // the cache is written just after the first cell
    return k.stderr;
  } finally {
    await k.close();
  }
}

test('a world-writable cache directory (like /tmp) gets no file, and a planted symlink is not followed', async () => {
  const shared = path.join(root, 'shared');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o1777);
  const victim = path.join(root, 'victim.txt');
  fs.writeFileSync(victim, 'precious');
  // what an attacker would plant: every name the old code could write through
  for (const name of ['typescript.v8cache', 'x.tmp']) fs.symlinkSync(victim, path.join(shared, name));
  const log = await runCell(shared);
  expect(log).toContain('typescript code cache not written');
  expect(fs.readdirSync(shared).sort()).toEqual(['typescript.v8cache', 'x.tmp']);
  expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
});

test("the cache file's name holds a key of the checkout and flowbook's version", async () => {
  const own = path.join(root, 'own');
  await runCell(own);
  const files = fs.readdirSync(own).filter((f) => f.endsWith('.v8cache'));
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^typescript-.+-[0-9a-f]{12}\.v8cache$/);
  expect(fs.statSync(path.join(own, files[0])).mode & 0o777).toBe(0o600);
});
