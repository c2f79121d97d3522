// Flags the kernel needs from Node, by line: on 22, AsyncLocalStorage runs on promise hooks unless
// AsyncContextFrame is switched on, and an interrupt inside a promise callback then corrupts Node's async stack
// (realm/async-stack.ts). 24 and later have it by default; 20 is repaired in place.
const major = Number(process.versions.node.split('.')[0]);

export const NODE_FLAGS: string[] = major === 22 ? ['--experimental-async-context-frame'] : [];

/**
 * Environment of the kernel's process (the kernelspec's `env`), read by glibc's malloc at start. Its mmap threshold
 * otherwise grows with the largest block freed (up to 32 MB), after which blocks below it come from per-thread
 * arenas and stay there fragmented: the language worker's arena held 25 MB. Fixed at 128 KiB (glibc's initial
 * value), large blocks go back to the system when freed: RSS after start, the first inspect and 10 cells
 * 200-203 -> 165 MB in the lang bench. Ignored by other C libraries.
 */
export const KERNEL_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072' };
