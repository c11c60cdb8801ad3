// Ring 3 cannot hurt the kernel: privileged instructions, port I/O, closed vectors and kernel
// memory each kill the program with a one-line report (vector, error code, EIP, instruction).
import { describe, expect, it } from "vitest";
import { prog, ringside } from "./helpers/cli.ts";

const cases: [file: string, vector: number, insn: RegExp][] = [
  ["cli.asm", 13, /: cli$/m],
  ["hlt.asm", 13, /: hlt$/m],
  ["outport.asm", 13, /: out dx,al$/m],
  ["inport.asm", 13, /: in al,60h$/m],
  ["int0d.asm", 13, /: int 0Dh$/m],
  ["lgdt.asm", 13, /: lgdt \[100000h\]$/m],
  ["readkernel.asm", 14, /: mov eax,\[100000h\]$/m],
  ["writekernel.asm", 14, /: mov dword \[110000h\],1$/m],
];

describe("protection", () => {
  for (const [file, vector, insn] of cases) {
    it(`${file}: killed by vector ${vector}, exit ${128 + vector}, with a report line`, () => {
      const r = ringside(["run", prog(file)]);
      expect(r.code).toBe(128 + vector);
      const name = file.replace(".asm", "");
      const line = r.stderr.split("\n").find((l) => l.startsWith(`[pid 1 ${name}] killed by`));
      expect(line, r.stderr).toBeDefined();
      expect(line).toContain(vector === 13 ? "#GP (vector 13)" : "#PF (vector 14)");
      expect(line).toMatch(/error_code=0x[0-9a-f]+/);
      expect(line).toMatch(/at eip=0x0040[0-9a-f]{4} <_start(\+0x[0-9a-f]+)?>/);
      expect(line).toMatch(insn);
      if (vector === 14) expect(line).toMatch(/cr2=0x001[01]0000/);
      if (file === "int0d.asm") expect(line).toContain("error_code=0x6a"); // IDT vector 13, EXT=0, IDT=1
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
