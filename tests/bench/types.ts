/** One row of the printed table: flowbook versus a baseline measured in the same run. */
export interface BenchRow {
  case: string;
  flowbook: string;
  baseline: string;
  /**
   * As the case names it. Throughput rows: flowbook / baseline (higher is better). Kernel rows: "flowbook/peer"
   * of times, with an "x" (below 1x means flowbook is faster).
   */
  ratio: string;
  goal: string;
  met?: boolean;
}

export interface BenchResult {
  area: string;
  rows: BenchRow[];
  /** Raw numbers, written to results.json. */
  data: Record<string, unknown>;
  /** Printed under the table and kept in results.json: machine, load, client. */
  notes?: string[];
}

/** Each `tests/bench/*.bench.ts` exports `bench()`; run.ts finds them by file name. */
export type BenchModule = { bench(): Promise<BenchResult> };
