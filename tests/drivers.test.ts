// The ring-3 driver servers (servers/console.asm, keyboard.asm, disk.asm) booted on the microkernel
// from small test images: each image's manifest declares only the servers under test plus a test
// program (also a `server` line, so it gets send rights), and init is tests/fixtures/programs/
// drvinit.asm, which starts them and ends the run with the test program's exit code.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prog, ringside, ROOT } from "./helpers/cli.ts";
import { assemble, formatDiagnostic } from "../tools/asm/index.ts";
import { Rsfs } from "../kernel/fs/rsfs.ts";
import { loadBootImage } from "../boot/loader.ts";
import { createKernel } from "../tools/build/kernel.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-drv-"));
const IMAGE_BYTES = 1024 * 1024;
const SECTORS = IMAGE_BYTES / 512;
const bins = new Map<string, Uint8Array>();

/** Assembles a program to ELF; fails the test run with the assembler's diagnostics if it does not assemble. */
function build(file: string): Uint8Array {
  const res = assemble(readFileSync(file, "utf8"), { file, format: "elf", includePaths: [path.dirname(file), path.join(ROOT, "servers", "lib")] });
  if (!res.ok) throw new Error(res.diagnostics.map(formatDiagnostic).join("\n"));
  return res.bytes;
}

/** Byte i of the test pattern the image's last 64 sectors hold (not file system data: those blocks are free). */
function pattern(i: number): number {
  return (i * 31 + (i >> 9) * 7) & 0xff;
}

/**
 * A 1 MiB RSFS image whose /boot/manifest is `manifest`, with the drivers in /boot, the test programs
 * in /tests, a placeholder /bin/sh (the loader insists the shell exists), and the pattern in the last
 * 64 sectors. Returns its path.
 */
function makeImage(name: string, manifest: string): string {
  const fs = Rsfs.format(IMAGE_BYTES, 64);
  fs.mkdir("/boot");
  fs.mkdir("/bin");
  fs.mkdir("/tests");
  fs.writeFile("/boot/manifest", new TextEncoder().encode(manifest));
  for (const s of ["console", "keyboard", "disk"]) fs.writeFile(`/boot/${s}`, bins.get(s)!);
  for (const t of ["drvinit", "drvdisk", "drvread"]) fs.writeFile(`/tests/${t}`, bins.get(t)!);
  fs.writeFile("/bin/sh", bins.get("drvread")!);
  const bytes = fs.bytes;
  for (let i = (SECTORS - 64) * 512; i < IMAGE_BYTES; i++) bytes[i] = pattern(i);
  expect(fs.fsck()).toEqual([]);
  const file = path.join(dir, `${name}.img`);
  writeFileSync(file, bytes);
  return file;
}

/** FNV-1a 32-bit, as drvdisk prints it (8 hex digits). */
function fnv(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

const CONSOLE = "server console /boot/console irq=4 ports=0x3f8-0x3ff\n";
const KEYBOARD = "server keyboard /boot/keyboard irq=1 ports=0x60,0x64 send=console\n";
const DISK = "server disk /boot/disk irq=14 ports=0x1f0-0x1f7,0x3f6\n";
const TAIL = "init drvinit /tests/drvinit\nshell sh /bin/sh\n";

beforeAll(() => {
  for (const s of ["console", "keyboard", "disk"]) bins.set(s, build(path.join(ROOT, "servers", `${s}.asm`)));
  for (const t of ["drvinit", "drvdisk", "drvread"]) bins.set(t, build(prog(`${t}.asm`)));
}, 60_000);

describe.skipIf(solutionCut("ipc"))("console server", () => {
  it("echoes typed input, hands completed lines to a reader (in pieces when it asks for less), edits with backspace, \\r and Ctrl-C, and ends input with Ctrl-D", () => {
    const img = makeImage("console", CONSOLE + "server drvread /tests/drvread\n" + TAIL);
    // One line is typed each time the guest waits; after the last, `boot` types Ctrl-D.
    const r = ringside(["boot", img, "--input", "hello world\nab\bc\x7fd\nxy\x03zz\r"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "hello world\n" + // the echo
        "[5:hello]\n" + // drvread's first read asks for 5 bytes: the rest of the line stays queued
        "[7: world\n]\n" +
        "ab\b \bc\b \bd\n" + // 0x08 and 0x7f each erase one character
        "[3:ad\n]\n" +
        "xy^C\n" + // Ctrl-C discards "xy"
        "zz\n" + // '\r' completes the line as '\n'
        "[3:zz\n]\n" +
        "eof\n", // Ctrl-D on an empty line: read returns 0
    );
  });

  it("prints CON_WRITE bytes exactly as given (no CR insertion) and backspace on an empty line echoes nothing", () => {
    const img = makeImage("console2", CONSOLE + "server drvread /tests/drvread\n" + TAIL);
    const r = ringside(["boot", img, "--input", "\b\x7fok\n"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("ok\n[3:ok\n]\neof\n");
    expect(r.stdout).not.toContain("\r");
  });
  it("lets at most 8 readers wait: a 9th read gets -EAGAIN", () => {
    const readers = Array.from({ length: 9 }, (_, i) => `server r${i + 1} /tests/drvread\n`).join("");
    const img = makeImage("readers", CONSOLE + readers + TAIL);
    // r1…r8 wait for a line; r9 (the one drvinit waits for) is refused and exits 2.
    const r = ringside(["boot", img]);
    expect(r.stdout).toBe("error -11\n");
    expect(r.code).toBe(2);
  });
});

describe.skipIf(solutionCut("ipc"))("disk server", () => {
  it("reports the size, reads 1 and 8 sectors and a 64-sector scan exactly, lands a 2-sector write in the image file, and refuses bad requests", () => {
    const img = makeImage("disk", CONSOLE + DISK + "server drvdisk /tests/drvdisk send=disk\n" + TAIL);
    const before = new Uint8Array(readFileSync(img));
    const sectors = (lba: number, n: number) => before.subarray(lba * 512, (lba + n) * 512);
    const written = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7 + 3) & 0xff);
    // Guard the fixture: the regions read must not be uniform, or a wrong sector could hash the same.
    expect(new Set(sectors(SECTORS - 9, 8)).size).toBeGreaterThan(100);

    const r = ringside(["boot", img]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `size ${SECTORS}`,
        `read1 512 ${fnv(sectors(SECTORS - 16, 1))}`,
        `read8 4096 ${fnv(sectors(SECTORS - 9, 8))}`,
        `scan ${fnv(sectors(SECTORS - 64, 64))}`,
        "write 1024",
        `readback 1024 ${fnv(written)}`,
        "bad count0 -22",
        "bad count9 -22",
        "bad end -22",
        "bad cross -22",
        "bad huge -22",
        "",
      ].join("\n"),
    );

    // The write reached the image file, and nothing else changed.
    const after = new Uint8Array(readFileSync(img));
    const expected = before.slice();
    expected.set(written, (SECTORS - 32) * 512);
    expect(after.length).toBe(before.length);
    expect(Buffer.compare(after, expected)).toBe(0);
  });
});

describe.skipIf(solutionCut("ipc"))("keyboard server", () => {
  // Set-1 scancodes (make, and make | 0x80 for the release).
  const key = (code: number) => [code, code | 0x80];
  const shifted = (code: number) => [0x2a, ...key(code), 0xaa];
  const ctrl = (code: number) => [0x1d, ...key(code), 0x9d];
  const H = 0x23, E = 0x12, L = 0x26, O = 0x18, W = 0x11, Q = 0x10, D = 0x20, C = 0x2e, A = 0x1e;
  const ONE = 0x02, SLASH = 0x35, SPACE = 0x39, TAB = 0x0f, BACKSPACE = 0x0e, ENTER = 0x1c, CAPS = 0x3a;

  /** Boots the keyboard image in-process and types each chunk of scancodes on the PS/2 keyboard when the guest waits. */
  async function typeOnKeyboard(chunks: number[][], servers = CONSOLE + KEYBOARD): Promise<{ out: string; reason: string; status: number }> {
    const img = makeImage("keyboard", servers + "server drvread /tests/drvread\n" + TAIL);
    const boot = loadBootImage(new Uint8Array(readFileSync(img)));
    let out = "";
    const kernel = await createKernel({
      programs: boot.programs,
      modules: boot.modules,
      manifest: boot.manifest,
      hda: boot.hda,
      onConsole: (b) => void (out += String.fromCharCode(b)),
      onIdle: () => false, // no more input: a reader still waiting ends the run as "idle"
    });
    for (const codes of chunks) kernel.machine.queueKeyboardInput(Uint8Array.from(codes));
    try {
      const r = await kernel.run();
      return { out, reason: r.reason, status: r.status };
    } finally {
      kernel.destroy();
    }
  }

  // Scancodes are not reachable from the `ringside boot` command line (only serial --input is), so
  // this test drives the kernel API the CLI uses, with the Machine's PS/2 injection.
  it("turns make codes into characters with Shift, Caps Lock, Ctrl, Tab, Backspace and Enter, and sends them to the console", async () => {
    const r = await typeOnKeyboard([
      [...key(H), ...key(E), ...shifted(L), ...key(L), ...key(SPACE), ...shifted(W), ...key(O), ...key(BACKSPACE), ...key(ENTER)],
      [...key(ONE), ...shifted(ONE), ...key(TAB), ...shifted(SLASH), ...key(CAPS), ...key(Q), ...key(CAPS), ...key(Q), ...key(ENTER)],
      [...key(A), ...ctrl(C)], // Ctrl-C discards "a"
      ctrl(D), // Ctrl-D on an empty line: end of input
    ]);
    expect(r.reason).toBe("shutdown");
    expect(r.status).toBe(0);
    expect(r.out).toBe(
      "heLl Wo\b \b\n" + // the console's echo of the first line
        "[5:heLl ]\n" +
        "[2:W\n]\n" +
        "1!\t?Qq\n" +
        "[7:1!\t?Qq\n]\n" +
        "a^C\n" +
        "eof\n",
    );
  }, 60_000);

  it("works when the manifest declares it before the console", async () => {
    const r = await typeOnKeyboard([[...key(O), ...shifted(O), ...key(ENTER)], ctrl(D)], KEYBOARD + CONSOLE);
    expect(r.reason).toBe("shutdown");
    expect(r.out).toBe("oO\n[3:oO\n]\neof\n");
  }, 60_000);
});
