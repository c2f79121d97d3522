// Messages between the main (shell) thread and the control thread: one union per direction, handled by a
// `switch` that the compiler checks for exhaustiveness (as Deno's JupyterReplRequest is).

/** Main thread -> control thread. */
export type ToControl =
  | { kind: 'stream'; parent: object; name: string; text: string } // merged and signed there
  | { kind: 'iopub'; frames: Buffer[] } // signed here
  | { kind: 'batch'; messages: Output[] } // a turn's output in one post (outbound.ts OutputBatch)
  | { kind: 'send'; frames: Buffer[] } // a reply on the control socket
  | { kind: 'input'; id: string; frames: Buffer[] } // an input_request; the reply comes back through stdin's port
  | { kind: 'input-cancel' }
  | { kind: 'interrupted' } // the interrupt reached the cell: stop re-sending SIGINT
  | { kind: 'sigint'; epoch: number } // the SIGINT holder heard a signal while cell `epoch` was current
  | { kind: 'close' };

/** What the main thread publishes on iopub. */
export type Output = Extract<ToControl, { kind: 'stream' | 'iopub' }>;

/** Control thread -> main thread. */
export type FromControl =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | { kind: 'control'; frames: Uint8Array[] } // a verified request for the main thread
  | { kind: 'interrupt'; epoch: number; how: string };

export function unreachable(x: never, what: string): never {
  throw new Error(`unknown ${what}: ${JSON.stringify(x)}`);
}
