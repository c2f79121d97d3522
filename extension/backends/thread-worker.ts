/**
 * piscina worker for ThreadPoolExecutor. A message is one task `{ source, args }` (replies its value) or a
 * batch `{ batch: [{ source, args }, ...] }` (replies `[{ ok, value } | { ok: false, error }]`, one per
 * task, in order). Tasks of a batch start together, so async ones overlap.
 */
import { reviveFunction, toWireError } from './portable';

type One = { source: string; args: unknown[] };
type Outcome = { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof toWireError> };

const failed = (err: unknown): Outcome => ({ ok: false, error: toWireError(err) });

export default function run(msg: One | { batch: One[] }): unknown {
  if (!('batch' in msg)) return reviveFunction(msg.source)(...msg.args);
  const out: Array<Outcome | Promise<Outcome>> = new Array(msg.batch.length);
  let async = false;
  for (let i = 0; i < msg.batch.length; i++) {
    const t = msg.batch[i];
    try {
      const value = reviveFunction(t.source)(...t.args);
      if (value instanceof Promise) {
        async = true;
        out[i] = value.then((v): Outcome => ({ ok: true, value: v }), failed);
      } else out[i] = { ok: true, value };
    } catch (err) {
      out[i] = failed(err);
    }
  }
  return async ? Promise.all(out) : out;
}
