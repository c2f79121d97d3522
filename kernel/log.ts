// Kernel log to the real stderr (the notebook server's log), never routed to a cell. Never log the key.
import { safeString } from '../extension/engine/describe';

const write = process.stderr.write.bind(process.stderr);
const quiet = process.env.FLOWBOOK_LOG === 'off';
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
