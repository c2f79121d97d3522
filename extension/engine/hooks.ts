/** The hooks a backend gets with each attempt (SubmitHooks), forwarding to the scheduler with the attempt number. */
import type { StartInfo, SubmitHooks } from '../backends/backend';
import type { TaskFuture } from './future';
import type { Stream } from './output';

export interface AttemptSink {
  onStarted(f: TaskFuture<any>, attempt: number, info?: StartInfo): void;
  onOutput(f: TaskFuture<any>, stream: Stream, text: string): void;
  onFinished(f: TaskFuture<any>, attempt: number, time: number): void;
  onWaiting(f: TaskFuture<any>, attempt: number, detail: string): void;
}

/** One attempt's hooks: a small object rather than closures, since every task allocates one. */
export class AttemptHooks implements SubmitHooks {
  constructor(
    private readonly s: AttemptSink,
    private readonly f: TaskFuture<any>,
    private readonly attempt: number,
  ) {}
  started(info?: StartInfo): void {
    this.s.onStarted(this.f, this.attempt, info);
  }
  output(stream: Stream, text: string): void {
    this.s.onOutput(this.f, stream, text);
  }
  finished(time: number): void {
    this.s.onFinished(this.f, this.attempt, time);
  }
  waiting(detail: string): void {
    this.s.onWaiting(this.f, this.attempt, detail);
  }
}
