// Kernel log to the real stderr (the notebook server's log), never routed to a cell. Never log the key.
import { safeString } from '../extension/engine/describe';

const writeStderr = process.stderr.write.bind(process.stderr);
let quiet = process.env.FLOWBOOK_LOG === 'off';

// A closed stderr (the server that started us is gone) makes every write fail with EPIPE, and that error, logged,
// failed again: an orphaned kernel spun at 30% of a core for an hour, writing 2,000 failing lines a second. The
// log goes quiet instead; the hooks (process-hooks.ts) route the stream's 'error' here.
export function stderrClosed(): void {
  quiet = true;
}

function write(line: string): void {
  try {
    writeStderr(line);
  } catch {
    quiet = true;
  }
}
const debug = process.env.FLOWBOOK_LOG === 'debug';

export function log(...parts: unknown[]): void {
  if (quiet) return;
  write(`[flowbook ${new Date().toISOString()}] ${parts.map(safeString).join(' ')}\n`);
}

/** Normal events worth a line (a client disconnected): below warning level, hidden with FLOWBOOK_LOG=warn. */
export function logInfo(...parts: unknown[]): void {
  if (quiet || process.env.FLOWBOOK_LOG === 'warn') return;
  write(`[flowbook ${new Date().toISOString()} info] ${parts.map(safeString).join(' ')}\n`);
}

export function logDebug(...parts: unknown[]): void {
  if (debug) log(...parts);
}
