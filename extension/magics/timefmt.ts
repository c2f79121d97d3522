/**
 * IPython's time formatting (IPython.core.magics.execution._format_time and TimeitResult), reproduced exactly so
 * that %time/%timeit output reads the same as in a Python notebook.
 */

/** Python's `'%.*g' % (precision, value)`. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  const p = Math.max(1, precision);
  const exp = Number(value.toExponential(p - 1).split('e')[1]);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) {
    const [mant] = value.toExponential(p - 1).split('e');
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return strip(value.toFixed(Math.max(0, p - 1 - exp)));
}

/** `_format_time`: seconds → "1.23 ms", "45.6 µs", "1min 3s". */
export function formatTime(seconds: number, precision = 3): string {
  if (seconds >= 60) {
    const parts: [string, number][] = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
    const out: string[] = [];
    let left = seconds;
    for (const [suffix, length] of parts) {
      const value = Math.trunc(left / length);
      if (value > 0) {
        left = left % length;
        out.push(`${value}${suffix}`);
      }
      if (left < 1) break;
    }
    return out.join(' ');
  }
  const units = ['s', 'ms', '\u00b5s', 'ns'];
  const scaling = [1, 1e3, 1e6, 1e9];
  const order = seconds > 0 ? Math.min(-Math.floor(Math.floor(Math.log10(seconds)) / 3), 3) : 3;
  return `${formatG(seconds * scaling[order], precision)} ${units[order]}`;
}

/** Python's `'{:,}'.format(n)`. */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** What `%timeit -o` returns: IPython's TimeitResult (times in seconds). */
export class TimeitResult {
  /** Seconds per loop of each run. */
  readonly timings: number[];

  constructor(
    readonly loops: number,
    readonly repeat: number,
    readonly best: number,
    readonly worst: number,
    /** Total seconds of each run (`loops` loops). */
    readonly allRuns: number[],
    readonly compileTime: number,
    readonly precision = 3,
  ) {
    this.timings = allRuns.map((t) => t / loops);
  }

  get average(): number {
    return this.timings.reduce((a, b) => a + b, 0) / this.timings.length;
  }

  /** Population standard deviation, as IPython computes it. */
  get stdev(): number {
    const mean = this.average;
    return Math.sqrt(this.timings.reduce((a, t) => a + (t - mean) ** 2, 0) / this.timings.length);
  }

  toString(): string {
    const runs = `${this.repeat} run${this.repeat === 1 ? '' : 's'}`;
    const loops = `${thousands(this.loops)} loop${this.loops === 1 ? '' : 's'}`;
    return (
      `${formatTime(this.average, this.precision)} \u00b1 ${formatTime(this.stdev, this.precision)} per loop ` +
      `(mean \u00b1 std. dev. of ${runs}, ${loops} each)`
    );
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<TimeitResult : ${this.toString()}>`;
  }
}
