/**
 * Where the pilot listeners bind (and the agents connect): one address, never every interface.
 * FLOWBOOK_SLURM_HOST when set (the login node's address on the compute network); else loopback when every
 * node of the cluster is this machine (NodeAddr on 127.0.0.0/8, as in scripts/slurm/start.sh); else the
 * address this host's name resolves to.
 */
import { lookup } from 'node:dns/promises';
import * as os from 'node:os';
import { slurmCmd } from './cli';

const WILDCARD = new Set(['0.0.0.0', '::', '']);
const isLoopback = (a: string) => a.startsWith('127.') || a === '::1' || a === 'localhost';

export async function bindAddress(): Promise<string> {
  const named = process.env.FLOWBOOK_SLURM_HOST;
  if (named) return resolveOne(named, 'FLOWBOOK_SLURM_HOST');
  const nodes = await slurmCmd('scontrol', ['show', 'nodes', '-o']);
  const addrs = [...nodes.stdout.matchAll(/\bNodeAddr=(\S+)/g)].map((m) => m[1]);
  if (addrs.length && addrs.every(isLoopback)) return '127.0.0.1';
  const own = await resolveOne(os.hostname(), 'this host\'s name');
  if (isLoopback(own) && addrs.some((a) => !isLoopback(a))) {
    throw new Error(`SLURM: ${os.hostname()} resolves to ${own}, which compute nodes cannot reach; set FLOWBOOK_SLURM_HOST to this host's address on their network`);
  }
  return own;
}

async function resolveOne(name: string, what: string): Promise<string> {
  let address: string;
  try {
    address = (await lookup(name)).address;
  } catch (e) {
    throw new Error(`SLURM: cannot resolve ${what} '${name}': ${(e as Error).message}`);
  }
  if (WILDCARD.has(address)) throw new Error(`SLURM: ${what} '${name}' is a wildcard address; name one interface`);
  return address;
}
