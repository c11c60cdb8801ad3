// Disassembly of single instructions (for kill reports and trace events), via iced-x86.
import iced from "iced-x86";

const { Decoder, DecoderOptions, Formatter, FormatterSyntax } = iced;
let formatter: InstanceType<typeof Formatter> | undefined;

/** The instruction at the start of `bytes` (located at `eip`) in NASM syntax, or undefined if invalid. */
export function disassembleOne(bytes: Uint8Array, eip: number, bitness = 32): string | undefined {
  if (bytes.length === 0) return undefined;
  formatter ??= new Formatter(FormatterSyntax.Nasm);
  const decoder = new Decoder(bitness, bytes, DecoderOptions.None);
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
