// Flags the kernel needs from Node, by line: on 22, AsyncLocalStorage runs on promise hooks unless
// AsyncContextFrame is switched on, and an interrupt inside a promise callback then corrupts Node's async stack
// (realm/async-stack.ts). 24 and later have it by default; 20 is repaired in place.
const major = Number(process.versions.node.split('.')[0]);

export const NODE_FLAGS: string[] = major === 22 ? ['--experimental-async-context-frame'] : [];
