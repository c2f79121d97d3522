/** One row of the printed table: flowbook versus a baseline measured in the same run. */
export interface BenchRow {
  case: string;
  flowbook: string;
  baseline: string;
  /** flowbook / baseline (or baseline / flowbook for times), always "higher is better" for flowbook. */
  ratio: string;
  goal: string;
  met?: boolean;
}

export interface BenchResult {
  area: string;
  rows: BenchRow[];
  /** Raw numbers, written to results.json. */
  data: Record<string, unknown>;
}

/** Each `tests/bench/*.bench.ts` exports `bench()`; run.ts finds them by file name. */
export type BenchModule = { bench(): Promise<BenchResult> };
