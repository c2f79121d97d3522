// IPython's output history in the user's scope: `_`, `__`, `___` (the last three results), `_N` and `Out[N]`
// (cell N's result), `In[N]` and `_iN` (cell N's code), `_i`, `_ii`, `_iii`. Like IPython, a `_` the user
// assigned is left alone.
export class UserHistory {
  readonly In: string[] = [''];
  readonly Out: Record<number, unknown> = {};
  private last: unknown[] = [undefined, undefined, undefined];

  constructor(private readonly scope: Record<string, any>) {
    Object.assign(scope, { In: this.In, Out: this.Out, _: '', __: '', ___: '', _i: '', _ii: '', _iii: '' });
    this.last = ['', '', ''];
  }

  /** Cell `n` (stored in history) starts with `code`. */
  input(n: number, code: string): void {
    this.In[n] = code;
    const s = this.scope;
    [s._iii, s._ii, s._i] = [s._ii, s._i, code];
    s[`_i${n}`] = code;
  }

  /** Cell `n` produced `value` (its execute_result). */
  output(n: number, value: unknown): void {
    if (value === undefined) return;
    this.Out[n] = value;
    this.scope[`_${n}`] = value;
    const names = ['_', '__', '___'];
    const userSet = names.some((k, i) => this.scope[k] !== this.last[i]);
    this.last = [value, this.last[0], this.last[1]];
    if (!userSet) names.forEach((k, i) => (this.scope[k] = this.last[i]));
  }

  /** %reset: forget every result and input. */
  clear(): void {
    this.In.length = 1;
    for (const k of Object.keys(this.Out)) delete this.Out[Number(k)];
  }
}
