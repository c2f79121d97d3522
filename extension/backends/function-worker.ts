/**
 * Function worker: a long-lived node process that runs shipped functions (see portable.ts).
 *
 * Protocol (one JSON-able object per message, replies may come out of order):
 *   request  { id: string, source: string, args: unknown[] }
 *   reply    { id, ok: true, value } | { id, ok: false, error: { name, message, stack?, code? } }
 *            (error.name 'ResultCloneError': the value could not be serialized back)
 *   ready    { ready: true, pid } is sent once at start.
 * Transports:
 *   - IPC (default, when started with child_process.fork): messages via process.send / 'message'.
 *     The pool forks with serialization 'advanced', so values are structured-cloned (Map, Date, ...).
 *   - `--stdio`: newline-delimited JSON on stdin (requests) and stdout (replies). For srun / ssh launches.
 *     console output of tasks goes to stderr so it cannot corrupt the reply stream.
 * Several requests may run at once (async functions interleave). A task that calls process.exit takes the
 * worker down; the pool that launched it fails that task and replaces the worker.
 */
import { reviveFunction, toWireError } from './portable';

type Request = { id: string; source: string; args: unknown[] };
type Reply = { id: string; ok: boolean; value?: unknown; error?: unknown } | { ready: true; pid: number };

const stdio = process.argv.includes('--stdio');
let send: (reply: Reply) => void;

if (stdio) {
  const out = process.stdout.write.bind(process.stdout);
  // Task output must not reach the protocol stream.
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  send = (reply) => void out(JSON.stringify(reply) + '\n');
  let buffered = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) handle(JSON.parse(line) as Request);
    }
  });
  process.stdin.on('end', () => process.exit(0));
} else if (process.send) {
  send = (reply) => void process.send!(reply);
  process.on('message', (msg) => handle(msg as Request));
  process.on('disconnect', () => process.exit(0));
} else {
  process.stderr.write('function-worker: start with child_process.fork (IPC) or with --stdio\n');
  process.exit(2);
}

function handle(req: Request): void {
  let result: unknown;
  try {
    result = reviveFunction(req.source)(...req.args);
  } catch (err) {
    send({ id: req.id, ok: false, error: toWireError(err) });
    return;
  }
  Promise.resolve(result).then(
    (value) => {
      try {
        send({ id: req.id, ok: true, value });
      } catch (err) {
        const error = toWireError(err);
        send({ id: req.id, ok: false, error: { ...error, name: 'ResultCloneError' } });
      }
    },
    (err) => send({ id: req.id, ok: false, error: toWireError(err) }),
  );
}

send({ ready: true, pid: process.pid });
