// Ctrl-C and the foreground process group, on a kernel run in-process (the console gets typed
// input): tcsetpgrp/tcgetpgrp through ioctl on fd 0, the in-kernel console's Ctrl-C hook sending
// SIGINT to the foreground group only, and signal_fg refused to a program.
import { describe, expect, it } from "vitest";
import { createKernel } from "../tools/build/kernel.ts";
import { image } from "./helpers/kernel.ts";

describe("Ctrl-C at the console", () => {
  it("sends SIGINT to the foreground process group (set with ioctl TIOCSPGRP), not to the parent", async () => {
    let out = "";
    const kernel = await createKernel({
      programs: [{ name: "ctrlc", image: await image("ctrlc") }],
      onConsole: (b) => (out += String.fromCharCode(b)),
      maxInstructions: 50_000_000,
      onIdle: () => false, // idle until the queued Ctrl-C arrives, then stop when all wait
    });
    kernel.machine.queueSerialInput(Uint8Array.of(0x03), 20_000); // Ctrl-C, 20 virtual ms in
    const result = await kernel.run();
    kernel.destroy();
    expect(out).toContain("signal_fg -1\n");
    expect(out).toContain("tcsetpgrp 0\n");
    expect(out).toContain("tcgetpgrp is child 1\n");
    expect(out).toContain("tcsetpgrp no group -3\n");
    expect(out).toContain("child signal 2\n");
    expect(result.status).toBe(0);
    expect(result.processes.find((p) => p.pid !== 1)).toMatchObject({ signal: 2, status: null });
  });
});
