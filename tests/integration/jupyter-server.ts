// A real jupyter-server on a free loopback port with a token, and @jupyterlab/services connected to it: the same
// client code JupyterLab runs. The flowbook kernelspec comes from jupyterEnv() (installed by our own CLI).
import * as net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type * as Services from '@jupyterlab/services';
import { PYTHON, jupyterEnv, type JupyterEnv } from './kernel/helpers';

export interface JupyterServer {
  baseUrl: string;
  settings: Services.ServerConnection.ISettings;
  kernels: Services.KernelManager;
  sessions: Services.SessionManager;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitReady(url: string, token: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`jupyter-server exited (${child.exitCode}):\n${log()}`);
    try {
      const r = await fetch(`${url}api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`jupyter-server did not answer within 30 s:\n${log()}`);
}

export async function startJupyterServer(): Promise<JupyterServer & { jenv: JupyterEnv }> {
  const jenv = jupyterEnv();
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const child = spawn(PYTHON, ['-m', 'jupyter_server', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`,
    '--port-retries=0', `--ServerApp.token=${token}`, `--ServerApp.root_dir=${jenv.dir}`], { env: jenv.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}/`;
  await waitReady(baseUrl, token, child, () => output);
  console.debug = () => {}; // @jupyterlab/services logs every websocket step at debug level
  const services = require('@jupyterlab/services') as typeof Services;
  const settings = services.ServerConnection.makeSettings({ baseUrl, token, wsUrl: `ws://127.0.0.1:${port}/` });
  const kernels = new services.KernelManager({ serverSettings: settings });
  const sessions = new services.SessionManager({ serverSettings: settings, kernelManager: kernels });
  await kernels.ready;
  return {
    jenv, baseUrl, settings, kernels, sessions,
    async stop() {
      sessions.dispose();
      kernels.dispose();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      jenv.cleanup();
    },
  };
}
