/**
 * The log of refused connections and frames on pilot channels. Each refusal is written to stderr (the kernel's
 * log), at most LINES per window; past that the rest are counted and summarised once the window ends, so a
 * flood of connections cannot flood the log (50k unsigned kernel messages once added 3.8 MB to it).
 */
const LINES = 10;
const WINDOW_MS = 10_000;

export interface Refusal {
  pilot: string;
  peer: string;
  why: string;
}

type Sink = (line: string) => void;

class RefusalLog {
  /** Every refusal since start (tests read it; the log line may have been summarised). */
  total = 0;
  private listeners: ((r: Refusal) => void)[] = [];
  private inWindow = 0;
  private suppressed = 0;
  private timer?: NodeJS.Timeout;
  sink: Sink = (line) => void process.stderr.write(line + '\n');

  refuse(r: Refusal): void {
    this.total++;
    for (const l of this.listeners) l(r);
    if (!this.timer) {
      this.timer = setTimeout(() => this.endWindow(), WINDOW_MS);
      this.timer.unref();
    }
    if (++this.inWindow <= LINES) this.sink(`flowbook slurm: refused ${r.peer} on ${r.pilot}'s channel: ${r.why}`);
    else this.suppressed++;
  }

  onRefusal(l: (r: Refusal) => void): () => void {
    this.listeners.push(l);
    return () => (this.listeners = this.listeners.filter((x) => x !== l));
  }

  private endWindow(): void {
    this.timer = undefined;
    if (this.suppressed) this.sink(`flowbook slurm: ... and ${this.suppressed} more refusals in the last ${WINDOW_MS / 1000} s`);
    this.inWindow = 0;
    this.suppressed = 0;
  }
}

export const refusals = new RefusalLog();
