/**
 * Function worker of the SLURM agent: a long-lived node process, forked with an IPC channel (advanced
 * serialization, so values are structured-cloned), that runs shipped functions (see ../portable.ts). The agent
 * keeps it warm between tasks and kills it on cancel.
 *   request  { id, name, source, origin?, args }        reply  { id, ok: true, value } | { id, ok: false, error: WireError }
 * A value that cannot be sent back fails its task with a ResultCloneError; a task that calls process.exit takes
 * the worker down, and the agent fails that task.
 */
import { toWire, type WireError } from '../../engine/wire-errors';
import { reviveFunction } from '../portable';
import type { SourceOrigin } from '../../host';

type Request = { id: string; name?: string; source: string; origin?: SourceOrigin; args: unknown[] };
type Reply = { id: string; ok: true; value: unknown } | { id: string; ok: false; error: WireError };

if (!process.send) {
  process.stderr.write('function-worker: start it with child_process.fork (IPC)\n');
  process.exit(2);
}
const send = (reply: Reply): void => void process.send!(reply);
process.on('message', (msg) => handle(msg as Request));
process.on('disconnect', () => process.exit(0));

function handle(req: Request): void {
  let result: unknown;
  try {
    result = reviveFunction(req.source, req.name, req.origin)(...req.args);
  } catch (err) {
    send({ id: req.id, ok: false, error: toWire(err) });
    return;
  }
  Promise.resolve(result).then(
    (value) => {
      try {
        send({ id: req.id, ok: true, value });
      } catch (err) {
        const why = toWire(err);
        const text = why.kind === 'error' ? why.message : 'not structured-cloneable';
        send({ id: req.id, ok: false, error: { kind: 'error', name: 'ResultCloneError', message: `result cannot be sent back: ${text}` } });
      }
    },
    (err) => send({ id: req.id, ok: false, error: toWire(err) }),
  );
}
