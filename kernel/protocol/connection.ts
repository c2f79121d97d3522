import * as fs from 'node:fs';
import { log } from '../log';

export interface ConnectionInfo {
  transport: string;
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

export function readConnection(file: string): ConnectionInfo {
  let c: unknown;
  try {
    c = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    // Never echo the parser's message or the text: both can quote the file around the error, key included.
    const at = /position (\d+)/.exec(String((e as Error)?.message))?.[1];
    const why = (e as NodeJS.ErrnoException)?.code ?? `not valid JSON${at ? ` (at position ${at})` : ''}`;
    throw new Error(why);
  }
  if (!c || typeof c !== 'object') throw new Error('not a JSON object');
  const info = { transport: 'tcp', signature_scheme: 'hmac-sha256', key: '', ...c } as ConnectionInfo;
  const warning = exposure(file, info);
  if (warning) log(warning);
  return info;
}

/**
 * Whoever can read the connection file has the key and can run code as us. jupyter_client writes it 0600; a
 * file that others may read or write (or an empty key: unsigned messages) is worth a warning, not a refusal
 * (a user may mean it, e.g. a container with one user).
 */
export function exposure(file: string, info: ConnectionInfo): string | null {
  if (!info.key) return `connection file ${file} has no key: messages are unsigned, anyone who reaches the ports can run code`;
  let mode: number;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    return null;
  }
  if ((mode & 0o077) === 0) return null;
  return `connection file ${file} is mode 0${mode.toString(8)}: other users who can read it can run code as you (jupyter_client writes 0600)`;
}

/** Binds only to the ip and transport of the connection file (ipc uses "<ip>-<port>" paths like jupyter_client). */
export function endpoint(c: ConnectionInfo, port: number): string {
  return c.transport === 'ipc' ? `ipc://${c.ip}-${port}` : `${c.transport}://${c.ip}:${port}`;
}

/** Largest accepted message; bigger ones are dropped by zeromq before parsing (tested in bad-input tests). */
export const MAX_MESSAGE_BYTES = Number(process.env.FLOWBOOK_MAX_MESSAGE_BYTES ?? 64 * 1024 * 1024);

/**
 * zeromq drops a message over MAX_MESSAGE_BYTES by disconnecting its sender, silently: log disconnects so an
 * oversized payload leaves a trace (clients reconnect on their own). Returns the stop function, which must run
 * before the socket closes: an observer left open when its socket closes aborts the process at exit.
 */
export function logDisconnects(
  socket: { events: AsyncIterable<{ type: string; address?: string }> & { close(): void } },
  name: string,
  log: (...a: unknown[]) => void,
): () => void {
  // Our own loop rather than events.on(): that one's pending read rejects with ENOTSOCK when the observer closes
  // at shutdown, which surfaced as an uncaught error on the last cell.
  void (async () => {
    try {
      for await (const e of socket.events) {
        if (e.type === 'disconnect') log(`${name}: a client disconnected (${e.address}); zeromq also disconnects a sender whose message exceeds ${MAX_MESSAGE_BYTES} bytes`);
      }
    } catch {
      // closed with its socket: nothing left to observe
    }
  })();
  return () => {
    try {
      socket.events.close();
    } catch {
      // already closed
    }
  };
}
