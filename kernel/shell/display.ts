// `display` in the user's scope: display(obj, { id }), display.update(id, obj), display.html(...) etc.
// Always writes to the cell that called it (AsyncLocalStorage), also from timers started in that cell.
import type { DisplaySink, MimeBundle } from '../../extension/display';
import { toBundle } from './mime';
import { log } from '../log';

type Opts = { id?: string; metadata?: Record<string, unknown> };

export function makeDisplay(current: () => DisplaySink | undefined) {
  const sink = (): DisplaySink | undefined => {
    const s = current();
    if (!s) log('display() called outside of any cell; dropped');
    return s;
  };
  const raw = (bundle: MimeBundle, opts?: Opts) => sink()?.display(bundle, opts);
  const text = (mime: string) => (data: unknown, opts?: Opts) =>
    raw({ [mime]: data, 'text/plain': `<${mime}>` }, opts);
  const display = Object.assign((value: unknown, opts?: Opts) => raw(toBundle(value), opts), {
    update: (id: string, value: unknown) => sink()?.update(id, toBundle(value)),
    bundle: raw,
    html: text('text/html'),
    svg: text('image/svg+xml'),
    markdown: text('text/markdown'),
    latex: text('text/latex'),
    json: (data: unknown, opts?: Opts) => raw({ 'application/json': data, 'text/plain': JSON.stringify(data) }, opts),
    png: (data: Buffer | string, opts?: Opts) =>
      raw({ 'image/png': typeof data === 'string' ? data : data.toString('base64'), 'text/plain': '<image/png>' }, opts),
    clear: (wait = false) => sink()?.clear(wait),
  });
  return display;
}
