// The memory the main thread shares with the control thread and the SIGINT listener (Int32 slots).
export const IN_VM = 0; // 1 while the main thread is inside a vm run
export const RUN = 1; // counts vm runs: the same value for a while means one run is spinning
export const EPOCH = 2; // the current execute_request, 0 between cells
const SLOTS = 3;

export function newVmState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(SLOTS * 4));
}
