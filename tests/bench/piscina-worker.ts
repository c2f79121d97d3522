// The raw-piscina baseline of the thread-pool benchmark: one shipped function per message, nothing else.
import { reviveFunction } from '../../extension/backends/portable';

export default function run(msg: { source: string; args: unknown[] }): unknown {
  return reviveFunction(msg.source)(...msg.args);
}
