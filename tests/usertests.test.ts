// usertests (servers/apps/usertests.asm, /bin/usertests): xv6-style system-call torture tests —
// fork/exec/pipe/dup2 edge cases, many processes, a full pipe, a writer killed mid-pipe, SIGPIPE,
// exec of bad files, deep directories — pass in both shapes, and the disk stays clean.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-usertests-"));

describe.each(["microkernel", "monolithic"])("usertests (%s)", (mode) => {
  it.skipIf(solutionCut("ipc") && mode === "microkernel")("prints ALL TESTS PASSED and leaves an fsck-clean disk", () => {
    const img = path.join(dir, `${mode}.img`);
    expect(ringside(["image", "build", "-o", img]).code).toBe(0);
    const r = ringside(["boot", img, "--mode", mode, "--input", "usertests\nexit\n"]);
    expect(r.stdout, r.stderr).toContain("ALL TESTS PASSED\n");
    expect(r.stdout).not.toContain("FAILED");
    for (const t of ["forkwait", "many", "pipe", "pipefull", "sigpipe", "dup2", "execbad", "exec", "deepdirs"]) expect(r.stdout).toContain(`${t}: ok\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(ringside(["image", "fsck", img]).stdout.trim()).toBe("clean");
  }, 60_000);
});
