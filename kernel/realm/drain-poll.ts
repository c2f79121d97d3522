// When the realm's microtask queue is drained from outside any run of user code (runtime.ts says why it must be).
// A host API that calls a user callback, or a `.then` on a host promise, queues user microtasks that run only
// inside one of our runs; this poll drains them while a cell runs and for 10 s after, then not at all:
// - slow: every 20 ms after user code ran, backing off to 100 ms while none runs (a cell that only awaits);
// - fast: every 5 ms while an interrupt settles (the control thread watches the loop turn through the drains).
// Measured: at 1 ms the poll alone cost 4% of a core; a steady 20 ms poll cost 12 ms of CPU a second at load 8,
// which a 1 s `%time await` reported as 46 ms.

export type PollSpeed = 'slow' | 'fast';

const FAST_MS = 5;
const SLOW_MS = 20;
const SLOW_MAX_MS = 100;
const SLOW_FOR_MS = 10_000;

export class DrainPoll {
  private timer: NodeJS.Timeout | null = null;
  private speed: PollSpeed | null = null;
  private until = 0;
  private delay = SLOW_MS;
  /** Runs of user code (not drains): the slow poll backs off while this stays put. */
  private userRuns = 0;
  private userRunsAtTick = 0;

  /** `cellRunning`: while true the poll never stops on its own. */
  constructor(private readonly drain: () => void, private readonly cellRunning: () => boolean) {}

  /** User code ran (a cell body, a resumed await, a timer callback). */
  userRan(): void {
    this.userRuns++;
    if (this.speed !== 'slow' || this.delay === SLOW_MS) return; // the usual case: one compare per run
    // Backed off: what this run queued is drained within 20 ms, not at the end of a 100 ms wait.
    if (this.timer) clearTimeout(this.timer);
    this.delay = SLOW_MS;
    this.slowTick();
  }

  /** Polls at `speed` from now; a slow poll lasts 10 s past the last call (or past the cell). */
  every(speed: PollSpeed): void {
    if (speed === 'slow') this.until = Date.now() + SLOW_FOR_MS;
    if (this.timer && this.speed === speed) return;
    this.stop();
    this.speed = speed;
    if (speed === 'fast') {
      this.timer = setInterval(() => this.tick(), FAST_MS);
      this.timer.unref();
    } else {
      this.delay = SLOW_MS;
      this.userRunsAtTick = this.userRuns;
      this.slowTick();
    }
  }

  private slowTick(): void {
    const timer: NodeJS.Timeout = setTimeout(() => {
      this.tick();
      if (this.timer !== timer) return; // stopped or replaced by the drain
      const ran = this.userRuns !== this.userRunsAtTick;
      this.userRunsAtTick = this.userRuns;
      this.delay = ran ? SLOW_MS : Math.min(this.delay * 2, SLOW_MAX_MS);
      this.slowTick();
    }, this.delay);
    timer.unref();
    this.timer = timer;
  }

  private tick(): void {
    if (!this.cellRunning() && Date.now() > this.until) return this.stop();
    this.drain();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer); // clears a timeout too
    this.timer = null;
    this.speed = null;
  }
}
