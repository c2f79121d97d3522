/**
 * The log line for a message the kernel refused (bad signature, malformed, replayed). Anyone who can reach a port
 * can send those, and each once cost a log line: 50k unsigned messages added 3.8 MB to the log (issue 17, item 16).
 * Now the first FIRST_LINES of a channel are logged in full, then one summary line per INTERVAL_MS with the count
 * and the latest reason, so a flood costs a few lines a minute.
 */
import { safeString } from '../../extension/engine/describe';

const FIRST_LINES = 20;
const INTERVAL_MS = 10_000;

export type LogFn = (...parts: unknown[]) => void;

export class RejectionLog {
  private logged = 0;
  private pending = 0;
  private lastReason = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly channel: string, private readonly log: LogFn, private readonly intervalMs = INTERVAL_MS) {}

  rejected(reason: unknown): void {
    const why = safeString(reason).slice(0, 200);
    if (this.logged < FIRST_LINES) {
      this.logged++;
      this.log(`${this.channel}: dropped message: ${why}`);
      if (this.logged === FIRST_LINES) this.log(`${this.channel}: further dropped messages are counted, one line per ${this.intervalMs / 1000} s`);
      return;
    }
    this.pending++;
    this.lastReason = why;
    this.timer ??= setTimeout(() => this.summarise(), this.intervalMs).unref();
  }

  private summarise(): void {
    this.timer = null;
    if (!this.pending) return;
    this.log(`${this.channel}: dropped ${this.pending} more messages in ${this.intervalMs / 1000} s (latest: ${this.lastReason})`);
    this.pending = 0;
  }
}
