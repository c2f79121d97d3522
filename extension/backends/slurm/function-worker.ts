/**
 * Function worker of the SLURM agent: a long-lived node process, forked with an IPC channel (advanced
 * serialization, so values are structured-cloned), that runs shipped functions (see ../portable.ts). The agent
 * keeps it warm between tasks and kills it on cancel.
 *   request  { id, name, source, origin?, args }        reply  { id, ok: true, value } | { id, ok: false, error: WireError }
 *   and before its reply, what the task printed: { type: 'output', id, stream, text } (over IPC, so it keeps its
 *   order with the reply; on a pipe it could arrive after it, and be taken for the next task's)
 * A value that cannot be sent back fails its task with a ResultCloneError; a task that calls process.exit takes
 * the worker down, and the agent fails that task.
 */
import { toWire, type WireError } from '../../engine/wire-errors';
import { reviveFunction } from '../portable';
import type { SourceOrigin } from '../../host';

type Request = { id: string; name?: string; source: string; origin?: SourceOrigin; args: unknown[] };
type Reply = { id: string; ok: true; value: unknown } | { id: string; ok: false; error: WireError };
export type Output = { type: 'output'; id: string; stream: 'stdout' | 'stderr'; text: string };

if (!process.send) {
  process.stderr.write('function-worker: start it with child_process.fork (IPC)\n');
  process.exit(2);
}
const send = (reply: Reply): void => void process.send!(reply);
/** The task running now: the agent gives a worker one task at a time. Output outside any task is its last's. */
let current: string | null = null;
for (const stream of ['stdout', 'stderr'] as const) {
  const target = process[stream];
  const own = target.write.bind(target);
  target.write = ((chunk: unknown, enc?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (current === null || !process.connected) return own(chunk as string, enc as BufferEncoding, cb as () => void);
    process.send!({ type: 'output', id: current, stream, text } satisfies Output);
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof target.write;
}
process.on('message', (msg) => handle(msg as Request));
process.on('disconnect', () => process.exit(0));

function handle(req: Request): void {
  current = req.id;
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
