// The ABI shared by TypeScript and assembly has one source of truth, and the trap frame the stub
// builds is the one the kernel reads.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ringsideInclude } from "../kernel/abi-include.ts";
import { rsfsInclude } from "../kernel/fs/rsfs-include.ts";
import { FRAME, layoutInclude, SWITCH } from "../kernel/layout.ts";
import { parseTrace, prog, ringside, ROOT } from "./helpers/cli.ts";

describe("ABI", () => {
  it("servers/lib/rsfs.inc is generated from kernel/fs/layout.ts (run `npm run gen` after changing the format)", () => {
    expect(readFileSync(path.join(ROOT, "servers", "lib", "rsfs.inc"), "utf8")).toBe(rsfsInclude());
  });

  it("servers/lib/ringside.inc is the generated file (run `npm run gen` after changing syscalls)", () => {
    expect(readFileSync(path.join(ROOT, "servers", "lib", "ringside.inc"), "utf8")).toBe(ringsideInclude());
  });

  it("the stub's layout.inc carries every frame and switch-block offset", () => {
    const inc = layoutInclude();
    expect(inc).toContain(`FRAME_EAX equ 0x${FRAME.eax.toString(16).padStart(8, "0")}`);
    expect(inc).toContain(`FRAME_ESP_KERNEL equ 0x${FRAME.espKernel.toString(16).padStart(8, "0")}`);
    expect(inc).toContain(`SWITCH_ESP0 equ 0x${SWITCH.esp0.toString(16).padStart(8, "0")}`);
    // pushad order: eax ecx edx ebx esp ebp esi edi (edi lowest)
    expect([FRAME.edi, FRAME.esi, FRAME.ebp, FRAME.espKernel, FRAME.ebx, FRAME.edx, FRAME.ecx, FRAME.eax]).toEqual([16, 20, 24, 28, 32, 36, 40, 44]);
  });

  it("decodes arguments from the trap frame, returns -ENOSYS for unknown calls and preserves registers", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ringside-abi-")), "t.jsonl");
    const r = ringside(["run", prog("regs.asm"), "--trace", file]);
    expect(r.code).toBe(0);
    const events = parseTrace(readFileSync(file, "utf8"));
    const call = events.find((e) => e.kind === "syscall" && e.nr === 0x1ff)!;
    expect(call).toMatchObject({ name: "unknown", args: [0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555] });
    expect(events[events.indexOf(call) + 1]).toMatchObject({ kind: "return", ret: -38, cpl_to: 3 });
  });
});
