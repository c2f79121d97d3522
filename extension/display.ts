/**
 * What the kernel hands to magics and reports: the only channel from extension/ to the notebook.
 * The kernel implements it on top of iopub; tests implement it with arrays. Every call is bound to the cell
 * that created the sink, so late output (timers, tasks) lands on that cell.
 */
export type MimeBundle = Record<string, unknown>;

export interface DisplaySink {
  stdout(text: string): void;
  stderr(text: string): void;
  /** display_data; with `id`, sets transient.display_id so that `update` can replace it later. */
  display(bundle: MimeBundle, opts?: { id?: string; metadata?: Record<string, unknown> }): void;
  /** update_display_data for an earlier `display(..., { id })`. */
  update(id: string, bundle: MimeBundle, opts?: { metadata?: Record<string, unknown> }): void;
  /** clear_output, like IPython.display.clear_output(wait). */
  clear(wait?: boolean): void;
}

/** The hook the kernel looks for on a value to show it as rich output (display() or a cell's result). */
export const MIMEBUNDLE = Symbol.for('flowbook.mimebundle');

/** Marks a bundle (non-enumerably, so it stays plain JSON) so that displaying it or returning it renders it. */
export function richBundle<T extends MimeBundle>(bundle: T): T {
  Object.defineProperty(bundle, MIMEBUNDLE, { value: () => bundle, enumerable: false });
  return bundle;
}
