/**
 * Short reprs for futures, engines and backends: `<TaskFuture load.3 RUNNING 120 ms>` instead of the 7,000
 * characters of internals util.inspect printed. Each gets util.inspect.custom (console.log, the REPL) and the
 * kernel's mime hook (a cell's value), with a small HTML form.
 */
import { inspect } from 'node:util';
import { MIMEBUNDLE } from '../display';

/**
 * A thenable carrying this marker (true) asks the kernel not to await it when it is a cell's last value: the
 * cell shows its state at once. TaskFuture carries it.
 */
export const NO_AWAIT = Symbol.for('flowbook.noAwait');

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Defines the reprs on `proto`: `text(this)` gives the one-line text form. */
export function defineRepr<T>(proto: object, text: (self: T) => string): void {
  Object.defineProperty(proto, inspect.custom, {
    value(this: T) {
      return text(this);
    },
    configurable: true,
  });
  Object.defineProperty(proto, MIMEBUNDLE, {
    value(this: T) {
      const t = text(this);
      return { 'text/plain': t, 'text/html': `<code>${escape(t)}</code>` };
    },
    configurable: true,
  });
}

export function ms(x: number): string {
  return x < 10_000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(1)} s`;
}
