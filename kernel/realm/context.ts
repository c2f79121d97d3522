// The user's realm: a vm context with its own global object and its own microtask queue.
// Its own global: whatever a cell declares or assigns (`function process`, `const Buffer = 'x'`, `performance = 1`)
// changes the user's view only. The host globals the realm lacks are installed as replaceable properties: Node
// defines `process`, `Buffer`, `performance`, `fetch`, ... on its global as accessors whose setter replaces the
// host's own global, so the copies made before (descriptor and all) let `function process() {}` in a cell replace
// the kernel's `process` (every later cell failed with `process.listenerCount is not a function`).
// Its own microtask queue (`afterEvaluate`): code after an await runs only inside our vm runs, which can be
// broken by SIGINT (realm/runtime.ts).
import * as vm from 'node:vm';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { IMPORT_DEFAULT_NAME, REQUIRE_NAME, SETTERS_NAME } from '../typescript/transpile';

export interface UserRealm {
  context: vm.Context;
  /** The realm's global object (what `globalThis` is in a cell). */
  global: Record<string, any>;
  /** The realm's own intrinsics, captured before any cell can shadow them. */
  Promise: PromiseConstructor;
  Function: FunctionConstructor;
}

/** Sets a property of the realm's global as plain data, never through a host accessor. */
function own(g: object, key: string, value: unknown, enumerable = true): void {
  Object.defineProperty(g, key, { value, writable: true, configurable: true, enumerable });
}

/** What `process.exit()` / `process.reallyExit()` in a cell do instead of ending the process under the kernel. */
export type ExitRequest = (code: number) => void;

/**
 * The cells' `process`: the host's, except that exit() asks the kernel for a clean shutdown (as IPython's `exit`
 * does). A plain exit ended the kernel by SIGABRT: zeromq's sockets were still open on other threads.
 */
function userProcess(onExit: ExitRequest): NodeJS.Process {
  const exit = (code?: number | string | null) => {
    const n = Number(code ?? process.exitCode ?? 0);
    onExit(Number.isInteger(n) ? n : 1);
    throw new SystemExit(Number.isInteger(n) ? n : 1);
  };
  return new Proxy(process, {
    get: (target, key) => (key === 'exit' || key === 'reallyExit' ? exit : Reflect.get(target, key)),
  });
}

/** Ends the cell that called process.exit(); the kernel then shuts down. */
export class SystemExit extends Error {
  override name = 'SystemExit';
  constructor(readonly code: number) {
    super(`process.exit(${code}): the kernel shuts down`);
  }
}

export function createUserRealm(cwd: string, onExit: ExitRequest = () => {}): UserRealm {
  const context = vm.createContext({}, { name: 'flowbook', microtaskMode: 'afterEvaluate' });
  const g = vm.runInContext('globalThis', context) as Record<string, any>;
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    if (key in g) continue;
    const d = Object.getOwnPropertyDescriptor(globalThis, key)!;
    if (!('get' in d) && !('set' in d)) {
      own(g, key, d.value, d.enumerable);
      continue;
    }
    // Lazy host globals (fetch, navigator, localStorage, ...) stay lazy: reading one may load a module or warn.
    Object.defineProperty(g, key, {
      configurable: true,
      enumerable: d.enumerable,
      get: () => {
        const value = Reflect.get(globalThis, key);
        own(g, key, value, d.enumerable);
        return value;
      },
      set: (value) => own(g, key, value, d.enumerable),
    });
  }
  const filename = path.join(cwd, '[notebook]');
  const req = createRequire(filename);
  own(g, 'global', g, false);
  own(g, 'process', userProcess(onExit));
  own(g, 'console', console); // V8's context console prints nowhere; the host's is routed per cell
  own(g, 'require', req);
  own(g, 'module', { exports: {}, require: req });
  own(g, 'exports', {});
  own(g, '__filename', filename);
  own(g, '__dirname', cwd);
  own(g, REQUIRE_NAME, req, false);
  own(g, IMPORT_DEFAULT_NAME, (m: any) => (m && m.__esModule && 'default' in m ? m.default : m), false);
  own(g, SETTERS_NAME, Object.create(null), false);
  // queueMicrotask: the host's would run the callback in the host's queue, outside any breakable run.
  own(g, 'queueMicrotask', vm.runInContext(`(() => {
    const P = Promise;
    return function queueMicrotask(callback) {
      if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
      P.resolve().then(() => callback());
    };
  })()`, context));
  return {
    context,
    global: g,
    Promise: vm.runInContext('Promise', context),
    Function: vm.runInContext('Function', context),
  };
}
