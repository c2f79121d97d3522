/**
 * One p-limit-shaped gate: at most `concurrency` jobs run at once, the rest wait in FIFO order. `cancel(key)`
 * takes a waiting job out (it never starts), `clear()` takes them all. The executables runner and the SLURM
 * backend share it instead of each keeping a queue and a pump.
 */
export class Limiter<K = string> {
  private readonly waiting: Array<{ key: K; start: () => void; reject: (e: unknown) => void }> = [];
  private active = 0;

  constructor(public concurrency: number) {}

  get activeCount(): number {
    return this.active;
  }

  get pendingCount(): number {
    return this.waiting.length;
  }

  /** Runs `fn` when a place is free; the result settles with fn's. */
  run<T>(key: K, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.active++;
        let p: Promise<T>;
        try {
          p = fn();
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(resolve, reject).finally(() => {
          this.active--;
          this.next();
        });
      };
      this.waiting.push({ key, start, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.active < this.concurrency && this.waiting.length) this.waiting.shift()!.start();
  }

  /** Takes the waiting job `key` out and rejects it with `reason`; false when it is not waiting. */
  cancel(key: K, reason: unknown): boolean {
    const i = this.waiting.findIndex((w) => w.key === key);
    if (i < 0) return false;
    this.waiting.splice(i, 1)[0].reject(reason);
    return true;
  }

  /** Rejects every waiting job (`reason(key)`); running ones go on. */
  clear(reason: (key: K) => unknown): void {
    for (const w of this.waiting.splice(0)) w.reject(reason(w.key));
  }
}
