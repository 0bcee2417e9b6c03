/**
 * This thread's byte arena: one WebAssembly memory, of a fixed size (never grown, so the Buffers over
 * it stay valid), that the file reader's buffers and the string hash's scratch are cut from, so that
 * a WebAssembly kernel (records/stringKernel.ts) reads the bytes where they lie, without a copy.
 *
 * Its first page is the kernels' own (their state); the rest is SLOTS slots of SLOT bytes. When every
 * slot is out, callers use ordinary Buffers (the kernels then run as JavaScript on them).
 */
export const SLOT = 1 << 20;
const SLOTS = 8;
const PAGE = 65536;

let memory: WebAssembly.Memory | null | undefined;
const free: Buffer[] = [];

/** The arena's memory (created on first use), or null where the runtime has no WebAssembly. */
export function arenaMemory(): WebAssembly.Memory | null {
  if (memory === undefined) {
    try {
      const pages = 1 + (SLOTS * SLOT) / PAGE;
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      for (let k = SLOTS - 1; k >= 0; k--) free.push(Buffer.from(memory.buffer, PAGE + k * SLOT, SLOT));
    } catch {
      memory = null;
    }
  }
  return memory;
}

/** A slot of SLOT bytes in the arena (its contents are whatever was left there), or undefined when all are out. */
export function takeSlot(): Buffer | undefined {
  arenaMemory();
  return free.pop();
}

/** Whether b is a slot of the arena, whole and where a slot begins (then it goes back with giveSlot, not to the collector). */
export function isSlot(b: Buffer): boolean {
  // Stryker disable next-line ConditionalExpression: unreachable in a test: memory is null only in a runtime without WebAssembly
  if (memory == null) return false;
  // a whole slot: SLOT bytes where a slot begins (an offset below the first slot cannot be PAGE + k * SLOT)
  return b.buffer === memory.buffer && b.length === SLOT && (b.byteOffset - PAGE) % SLOT === 0;
}

export function giveSlot(b: Buffer): void {
  if (isSlot(b) && !free.includes(b)) free.push(b);
}
