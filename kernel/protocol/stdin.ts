// input_request on the stdin channel: `prompt()`, `confirm()` and `input()` in a cell, synchronous like the
// browser's (and Python's input()). The stdin socket lives on the control thread; the main thread sends the
// request there and blocks in Atomics.wait until the reply is handed back through a MessagePort. The wait is
// inside the cell's vm run, so an interrupt breaks it (measured: Atomics.wait on the main thread is woken by the
// SIGINT watchdog).
import { MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { ToControl } from './messages';

type InputMessage = Extract<ToControl, { kind: 'input' | 'input-cancel' }>;
import { encode, Header, makeHeader, Signer } from './wire';

/** What a cell's request carries for input: who to ask, and whether the client said it can answer. */
export interface InputContext {
  parent: Partial<Header>;
  identities: Buffer[];
  allowed: boolean;
  /** Output printed before the prompt must be out first. */
  flush(): void;
}

export class StdinNotImplementedError extends Error {
  override name = 'StdinNotImplementedError';
}

export class Stdin {
  /**
   * `flag`: [reply ready], set by the control thread before it notifies. `port`: where the control thread posts
   * each input_reply's value (this thread's end of the channel).
   */
  constructor(
    private readonly signer: Signer,
    private readonly session: string,
    readonly flag: Int32Array,
    private readonly port: MessagePort,
  ) {}

  /** How input requests reach the control thread (after the output published before them). */
  attach(post: (m: InputMessage) => void): void {
    this.post = post;
  }

  private post: ((m: InputMessage) => void) | null = null;

  /** Asks the client for a line of input and blocks until it answers (or an interrupt breaks the wait). */
  request(ctx: InputContext, prompt: string, password: boolean): string {
    if (!ctx.allowed) throw new StdinNotImplementedError('input was requested, but this frontend does not support input requests (allow_stdin is false)');
    ctx.flush();
    const header = makeHeader('input_request', this.session);
    const frames = encode(this.signer, ctx.identities, header, ctx.parent, { prompt, password });
    Atomics.store(this.flag, 0, 0);
    this.post!({ kind: 'input', frames, id: header.msg_id });
    let answered = false;
    try {
      for (;;) {
        Atomics.wait(this.flag, 0, 0);
        Atomics.store(this.flag, 0, 0);
        // an answer to an earlier, interrupted prompt may still come through first: skip it
        for (let got; (got = receiveMessageOnPort(this.port)); ) {
          const reply = got.message as { id: string; value?: unknown };
          if (reply.id !== header.msg_id) continue;
          answered = true;
          return String(reply.value ?? '');
        }
      }
    } finally {
      if (!answered) this.post!({ kind: 'input-cancel' }); // a late reply must not answer the next prompt
    }
  }
}

/** prompt/confirm/input for the user's scope, bound to the cell that calls them. */
export function inputFunctions(stdin: Stdin, current: () => InputContext | undefined) {
  const ask = (prompt: string, password: boolean) => {
    const ctx = current();
    if (!ctx) throw new StdinNotImplementedError('input was requested outside of a running cell');
    return stdin.request(ctx, prompt, password);
  };
  return {
    /** Like the browser's prompt(): the answer, or `defaultValue` for an empty one. */
    prompt: (message = '', defaultValue?: string): string => {
      const answer = ask(String(message), false);
      return answer === '' && defaultValue !== undefined ? String(defaultValue) : answer;
    },
    /** Like the browser's confirm(): true for y/yes. */
    confirm: (message = ''): boolean => /^\s*y(es)?\s*$/i.test(ask(`${message} [y/N] `, false)),
    /** Like Python's input(); `{ password: true }` hides what is typed. */
    input: (message = '', opts: { password?: boolean } = {}): string => ask(String(message), !!opts.password),
  };
}
