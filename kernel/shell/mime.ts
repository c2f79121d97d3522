// Value -> Jupyter mime bundle. Rich output through hooks on the value itself.
import { inspect } from 'node:util';
import type { MimeBundle } from '../../extension/display';

import { MIMEBUNDLE } from '../../extension/display';
import { thrownMessage } from '../../extension/engine/describe';
export { MIMEBUNDLE };

/** Total: a custom inspector that throws (user code) gives `<repr failed: …>`, not a failed cell. */
export function textPlain(value: unknown): string {
  try {
    return typeof value === 'string' ? inspect(value) : inspect(value, { depth: 4, maxArrayLength: 200, breakLength: 100 });
  } catch (e) {
    return `<repr failed: ${thrownMessage(e)}>`;
  }
}

/** Hooks, in order: [Symbol.for('flowbook.mimebundle')](), _repr_mimebundle_(), _repr_html_/_svg_/_markdown_/_png_. */
export function toBundle(value: unknown): MimeBundle {
  const v = value as any;
  let bundle: MimeBundle = {};
  if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
    try {
      if (typeof v[MIMEBUNDLE] === 'function') bundle = { ...v[MIMEBUNDLE]() };
      else if (typeof v._repr_mimebundle_ === 'function') bundle = { ...v._repr_mimebundle_() };
      else {
        const hooks: [string, string][] = [['_repr_html_', 'text/html'], ['_repr_svg_', 'image/svg+xml'],
          ['_repr_markdown_', 'text/markdown'], ['_repr_png_', 'image/png'], ['_repr_json_', 'application/json']];
        for (const [hook, mime] of hooks) if (typeof v[hook] === 'function') bundle[mime] = v[hook]();
      }
    } catch (e) {
      bundle = { 'text/plain': `<repr failed: ${thrownMessage(e)}>` };
    }
  }
  if (!('text/plain' in bundle)) bundle['text/plain'] = textPlain(value);
  return bundle;
}
