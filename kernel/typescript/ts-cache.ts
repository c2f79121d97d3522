// Loads `typescript` with a V8 code cache: compiling its 9 MB was most of the kernel's start. Measured (Node 20.20):
// require('typescript') 128 ms + 22 ms for the first transpile; from the cache 51 ms + 6 ms. Node 20 has no
// module.enableCompileCache, and v8-compile-cache made start slower, so this does the one module by hand. It
// must be imported before anything that requires typescript: it puts the module in require's cache.
// The cache lives in a per-user directory (0700): a code cache from a shared directory would be code we run, and
// writing one there followed symlinks that another user planted (issue 17 item 19), so neither happens there.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module from 'node:module';
import { log, logInfo } from '../log';

const file = require.resolve('typescript');
const dir = process.env.FLOWBOOK_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'flowbook');
const enabled = process.env.FLOWBOOK_CACHE_DIR !== 'off';

/** flowbook's own package.json, from src (kernel/typescript) or dist (dist/kernel/typescript). */
function packageVersion(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    try {
      const p = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8'));
      if (p.name === 'flowbook') return String(p.version);
    } catch {
      // no package.json here: go up
    }
  }
  return 'unknown';
}

// Keyed by where typescript is (each checkout or install has its own) and by flowbook's version, not only by the
// TypeScript and Node versions: one checkout's cache was used by another's.
const where = createHash('sha256').update(`${file}\0${packageVersion()}`).digest('hex').slice(0, 12);
const cacheFile = path.join(dir, `typescript-${require('typescript/package.json').version}-node${process.version}-${process.arch}-${where}.v8cache`);

let script: vm.Script | null = null;
let needsWrite = false;

function load(): void {
  const t0 = performance.now();
  const source = fs.readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    if (ownedByUs(dir) && ownedByUs(cacheFile)) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first start
  }
  script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  needsWrite = !cachedData || script.cachedDataRejected === true;
  const m = new Module(file, module);
  m.filename = file;
  m.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  script.runInThisContext()(m.exports, (id: string) => m.require(id), m, file, path.dirname(file));
  m.loaded = true;
  require.cache[file] = m;
  const how = !cachedData ? 'none yet' : script.cachedDataRejected ? 'rejected' : 'used';
  logInfo(`typescript loaded in ${(performance.now() - t0).toFixed(0)} ms (code cache: ${how})`);
}

if (enabled) {
  try {
    load();
  } catch (e) {
    log('typescript code cache not used:', (e as Error)?.message ?? e); // plain require() below still works
  }
}

/** Ours and writable by nobody else; a symlink is never (lstat: it could point anywhere). */
function ownedByUs(p: string): boolean {
  const st = fs.lstatSync(p);
  return !st.isSymbolicLink() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
}

/** Writes the cache once the compiler has been used (the cache then holds the functions it compiled). */
export function saveTypescriptCache(): void {
  if (!script || !needsWrite) return;
  needsWrite = false;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedByUs(dir)) return log(`typescript code cache not written: ${dir} is not a private directory of this user`);
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    // O_EXCL|O_NOFOLLOW: never through a planted symlink or into a file someone made first
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, script.createCachedData());
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, cacheFile); // atomic: two kernels starting together never read half a file
  } catch (e) {
    log('cannot write the typescript code cache:', (e as Error)?.message ?? e);
  }
}
