// console.log and process.stdout/stderr.write from user code (and from engine code it calls) go to the cell
// that started the work: AsyncLocalStorage follows timers, promises and tasks. Outside any cell they go to the
// real streams (the kernel log).
import type { DisplaySink } from '../../extension/display';

export function routeProcessOutput(current: () => DisplaySink | undefined): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream);
    stream.write = ((chunk: any, encoding?: any, cb?: any) => {
      const sink = current();
      if (!sink) return original(chunk, encoding, cb);
      sink[name](typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString((typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding));
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    }) as typeof stream.write;
  }
}
