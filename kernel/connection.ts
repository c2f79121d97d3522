import * as fs from 'node:fs';

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
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { transport: 'tcp', signature_scheme: 'hmac-sha256', key: '', ...c };
}

/** Binds only to the ip and transport of the connection file (ipc uses "<ip>-<port>" paths like jupyter_client). */
export function endpoint(c: ConnectionInfo, port: number): string {
  return c.transport === 'ipc' ? `ipc://${c.ip}-${port}` : `${c.transport}://${c.ip}:${port}`;
}

/** Largest accepted message; bigger ones are dropped by zeromq before parsing (tested in bad-input tests). */
export const MAX_MESSAGE_BYTES = Number(process.env.FLOWBOOK_MAX_MESSAGE_BYTES ?? 64 * 1024 * 1024);
