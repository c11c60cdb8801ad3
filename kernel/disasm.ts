// Disassembly of single instructions (for kill reports and trace events), via iced-x86, which is
// loaded on first use (its wasm costs tens of ms to instantiate).
import { createRequire } from "node:module";

type Iced = typeof import("iced-x86");
let iced: Iced | undefined;
let formatter: InstanceType<Iced["Formatter"]> | undefined;

/** The instruction at the start of `bytes` (located at `eip`) in NASM syntax, or undefined if invalid. */
export function disassembleOne(bytes: Uint8Array, eip: number, bitness = 32): string | undefined {
  if (bytes.length === 0) return undefined;
  iced ??= createRequire(import.meta.url)("iced-x86") as Iced;
  formatter ??= new iced.Formatter(iced.FormatterSyntax.Nasm);
  const decoder = new iced.Decoder(bitness, bytes, iced.DecoderOptions.None);
  decoder.ip = BigInt(eip >>> 0);
  const insn = decoder.decode();
  try {
    if (insn.isInvalid) return undefined;
    return formatter.format(insn);
  } finally {
    insn.free();
    decoder.free();
  }
}
