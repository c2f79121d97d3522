// The one interface a host installs into the extension (the kernel does; library use installs none). The
// extension keeps no other kernel state: with no host, user functions are called directly.

export interface FlowbookHost {
  /**
   * Calls a user function (in-loop task, block, command builder). The kernel runs it inside an interruptible vm
   * run, so a task that spins can be stopped, and hands back a promise of the host's realm for a user promise.
   */
  callUser(fn: (...args: any[]) => unknown, args: unknown[]): unknown;
  /**
   * Where a function's source text (`Function.prototype.toString`) sits in the code the host compiled (a cell),
   * so that a worker that revives it reports that file, line and column in its stack frames.
   */
  locateFunction?(text: string): SourceOrigin | null;
}

/** A position in a file the host ran: `line` and `column` are 0-based, of the text's first character. */
export interface SourceOrigin {
  file: string;
  line: number;
  column: number;
}

let installed: FlowbookHost | null = null;

export function installHost(host: FlowbookHost | null): void {
  installed = host;
}

export function currentHost(): FlowbookHost | null {
  return installed;
}

/**
 * Names the kernel's compiler puts into user code: `await x` becomes `await __flowbook_await(x)` so that a cell
 * resumes inside a breakable run (kernel/realm/runtime.ts). A function shipped to a worker carries them in its
 * source, and a worker has no realm to bridge: there they are the identity (extension/backends/portable.ts).
 */
export const AWAIT_BRIDGE = '__flowbook_await';
export const ASYNC_ITER_BRIDGE = '__flowbook_asyncIter';
