// Node's internal bindings that the kernel needs (async_wrap, contextify, signal_wrap), without the
// process.binding() deprecation warning reaching the user's cells.
export function nodeBinding(name: string): any {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return (process as any).binding(name);
  } finally {
    process.noDeprecation = quiet;
  }
}
