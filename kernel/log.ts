// Kernel log to the real stderr (the notebook server's log), never routed to a cell. Never log the key.
const write = process.stderr.write.bind(process.stderr);
const quiet = process.env.FLOWBOOK_LOG === 'off';
const debug = process.env.FLOWBOOK_LOG === 'debug';

export function log(...parts: unknown[]): void {
  if (quiet) return;
  write(`[flowbook ${new Date().toISOString()}] ${parts.map(String).join(' ')}\n`);
}

export function logDebug(...parts: unknown[]): void {
  if (debug) log(...parts);
}
