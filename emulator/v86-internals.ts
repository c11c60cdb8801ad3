// Every reliance on v86 internals lives here (verified for v86 0.5.462, see docs and
// tests/emulator.test.ts, which fails loudly if an upgrade moves any of them).
import { createRequire } from "node:module";
import path from "node:path";

/** Byte offsets of CPU state inside v86's wasm memory (v86 0.5.462). */
export const WASM_OFFSET = {
  reg32: 64, // Int32 x8: eax ecx edx ebx esp ebp esi edi
  lastResult: 112, // Int32: lazily computed flags input (restore bug workaround)
  flags: 120, // Int32: EFLAGS (partly lazy)
  instructionPointer: 556, // Int32: linear EIP
  previousIp: 560, // Int32: linear EIP of the instruction being executed
  prefixes: 648, // Int32: prefixes of the instruction being decoded
  cr: 580, // Int32 x8: cr0..cr7
  cpl: 612, // Uint8
  inHlt: 616, // Uint8
  instructionCounter: 664, // Uint32: retired instructions (updated at block exits)
} as const;

/** The subset of v86's CPU object we use (property names are not minified in the npm build). */
export interface V86Cpu {
  wasm_memory: WebAssembly.Memory;
  mem8: { byteOffset: number; length: number };
  io: {
    register_write(port: number, ctx: unknown, w8?: (v: number) => void, w16?: (v: number) => void, w32?: (v: number) => void): void;
    register_read(port: number, ctx: unknown, r8?: () => number, r16?: () => number, r32?: () => number): void;
    port_write8(port: number, value: number): void;
    port_read8(port: number): number;
  };
  jit_dirty_cache(start: number, end: number): void;
  full_clear_tlb(): void;
  device_raise_irq(irq: number): void;
  device_lower_irq(irq: number): void;
  main_loop(): number;
  codegen_finalize_finished(index: number, start: number, stateFlags: number): void;
  jit_imports: WebAssembly.Imports[string];
  wm: { wasm_table: WebAssembly.Table };
  devices: Record<string, unknown>;
}

/** The v86 "main" object (emulator.v86): owns the cpu and the tick loop. */
export interface V86Main {
  cpu: V86Cpu;
  constructor: { microtick: () => number };
}

/** Indirect-function-table index of JIT module n (v86: wasm_table.set(index + 1024, f)). */
export const JIT_TABLE_BASE = 1024;

const require = createRequire(import.meta.url);

/** Absolute path of the v86 wasm binary shipped in the npm package. */
export function v86WasmPath(): string {
  return path.join(path.dirname(require.resolve("v86")), "v86.wasm");
}
