// Aggregates repeated wall-time measurements per (case, backend), shared by barsSpec and summaryTable.

/** One measured run: wall time in ms of `backend` on `case`. */
export interface RunSample {
  backend: string;
  case?: string;
  wall: number;
}

export interface RunStats {
  case: string;
  backend: string;
  runs: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single run. */
  std: number;
  min: number;
  max: number;
}

/** Groups in first-seen order of cases, then of backends, so output is stable for a given input. */
export function summarize(samples: readonly RunSample[]): RunStats[] {
  const groups = new Map<string, { c: string; b: string; xs: number[] }>();
  for (const s of samples) {
    const c = s.case ?? '';
    const key = JSON.stringify([c, s.backend]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { c, b: s.backend, xs: [] }));
    g.xs.push(s.wall);
  }
  const caseOrder = [...new Set([...groups.values()].map((g) => g.c))];
  const out = [...groups.values()].map(({ c, b, xs }) => {
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
    return { case: c, backend: b, runs: xs.length, mean, std, min: xs.reduce((a, x) => Math.min(a, x)), max: xs.reduce((a, x) => Math.max(a, x)) };
  });
  return out.sort((a, b) => caseOrder.indexOf(a.case) - caseOrder.indexOf(b.case));
}
