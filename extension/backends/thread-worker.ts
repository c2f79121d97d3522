/**
 * piscina worker for ThreadPoolExecutor. A message is one task `{ source, args }` or a batch
 * `{ batch: [{ source, args }, ...] }` (replies `[{ ok, value } | { ok: false, error }]`, one per task).
 */
import { reviveFunction, toWireError } from './portable';

type One = { source: string; args: unknown[] };

export default async function run(msg: One | { batch: One[] }): Promise<unknown> {
  if ('batch' in msg) {
    const out = [];
    for (const t of msg.batch) {
      try {
        out.push({ ok: true, value: await reviveFunction(t.source)(...t.args) });
      } catch (err) {
        out.push({ ok: false, error: toWireError(err) });
      }
    }
    return out;
  }
  return reviveFunction(msg.source)(...msg.args);
}
