// The faulting instruction of a CPU exception is disassembled only where it is shown: in the trace's
// `exception` event and in a kill report. A fault the kernel resolves (copy-on-write, demand paging)
// in an untraced run disassembles nothing, so the disassembler (a wasm module, tens of ms to load)
// is never loaded for it.
import { describe, expect, it, vi } from "vitest";
import { TraceRecorder } from "../kernel/trace/recorder.ts";
import { syscallName } from "../kernel/syscalls.ts";
import { runPrograms } from "./helpers/kernel.ts";
import { parseTrace } from "./helpers/cli.ts";

const disassembled = vi.hoisted(() => ({ count: 0 }));
vi.mock("../kernel/disasm.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../kernel/disasm.ts")>();
  return {
    ...real,
    disassembleOne: (...a: Parameters<typeof real.disassembleOne>) => {
      disassembled.count++;
      return real.disassembleOne(...a);
    },
  };
});

describe("the faulting instruction", () => {
  it("is disassembled for each exception event of a traced run, and shown in it", async () => {
    disassembled.count = 0;
    let text = "";
    const trace = new TraceRecorder((t) => (text += t), { ipms: 100_000, mode: "monolithic", tool: "test" }, syscallName);
    const { out } = await runPrograms(["cow"], [], { trace });
    trace.finish();
    expect(out).toBe("child 2\nparent 1\nparent 3\n");
    const exceptions = parseTrace(text).filter((e) => e.kind === "exception");
    expect(exceptions.length).toBeGreaterThanOrEqual(2); // the child's copy, the parent's reclaim
    for (const e of exceptions) expect(e.insn).toMatch(/^(mov|call|push) /); // writes to shared data and stack pages
    expect(exceptions.some((e) => /^mov dword \[[0-9A-F]+h\],2$/.test(String(e.insn)))).toBe(true); // the child's write to `counter`
    expect(disassembled.count).toBe(exceptions.length);
  });

  it("is not disassembled for faults the kernel resolves when nothing is traced", async () => {
    disassembled.count = 0;
    const { out, result } = await runPrograms(["cow"]);
    expect(out).toBe("child 2\nparent 1\nparent 3\n");
    expect(result.processes.every((p) => p.report === null)).toBe(true);
    expect(disassembled.count).toBe(0);
  });

  it("is disassembled for the report of a process an exception kills, traced or not", async () => {
    disassembled.count = 0;
    const { result } = await runPrograms(["cli"]);
    expect(result.processes[0]!.report).toMatch(/killed by #GP \(vector 13\).*<_start>: cli$/);
    expect(disassembled.count).toBe(1);
  });
});
