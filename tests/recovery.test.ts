// What a client of each service sees when its server dies (docs/recovery.md), through the CLI as a
// user would: rs, the reincarnation server, restarts disk, fs and console by their manifest policy
// and the next commands work; a server with no policy stays down and calls fail with EIO, never hang;
// a server that does not answer its heartbeat is killed and restarted; one that keeps failing is given
// up on with one line on the console.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ringside } from "./helpers/cli.ts";
import { ensureDefaultImage } from "../tools/image/default.ts";
import { Rsfs } from "../kernel/fs/rsfs.ts";
import { assembleProgram } from "../tools/cli/program.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-recovery-"));
let base: Uint8Array;

/** A device server: DEV_WRITE spins for ever (it stops answering pings), DEV_READ answers 0 bytes. */
const HANG = `
%include "ringside.inc"
%include "server.inc"
section .data
SERVER buf, 64, server_ignore, MSG_DEV_WRITE, dev_write, dev_read
section .bss
buf resb 64
section .text
global _start
_start:
    jmp server_loop
dev_write:
    jmp dev_write
dev_read:
    xor eax, eax
    jmp server_done
`;

/** A server that ends as soon as it starts. */
const CRASHY = `
%include "ringside.inc"
section .text
global _start
_start:
    mov ebx, 3
    mov eax, SYS_exit
    int 0x80
`;

/** An image with the manifest edited by `edit` and extra boot programs; returns its file. */
async function image(name: string, edit: (manifest: string) => string, programs: Record<string, string> = {}): Promise<string> {
  const fs = Rsfs.open(base.slice());
  for (const [prog, src] of Object.entries(programs)) {
    const file = path.join(dir, `${prog}.asm`);
    writeFileSync(file, src);
    fs.writeFile(`/boot/${prog}`, await assembleProgram(file, src));
  }
  const manifest = new TextDecoder().decode(fs.readFile("/boot/manifest"));
  fs.writeFile("/boot/manifest", new TextEncoder().encode(edit(manifest)));
  const out = path.join(dir, `${name}.img`);
  writeFileSync(out, fs.bytes);
  return out;
}

/** The text a command printed: after "$ <cmd>\n", up to the next prompt. */
function after(out: string, cmd: string): string {
  const at = out.indexOf(`$ ${cmd}\n`);
  if (at < 0) throw new Error(`no "$ ${cmd}" in ${JSON.stringify(out)}`);
  const rest = out.slice(at + cmd.length + 3);
  const end = rest.indexOf("$ ");
  return end < 0 ? rest : rest.slice(0, end);
}

const README = "This file lives on an RSFS disk image";

beforeAll(async () => {
  base = new Uint8Array(readFileSync(await ensureDefaultImage()));
}, 120_000);

describe.skipIf(solutionCut("ipc"))("recovery: what a client sees when a server dies", () => {
  it.skipIf(solutionCut("recovery"))("disk, fs and console are restarted; cat, ls and echo work again and ps counts the restarts", async () => {
    const img = await image("default", (m) => m);
    // (The console first: lines typed ahead while the file server waits for the disk sit in the
    // console's input queue, and a console that dies takes its queue with it.)
    const r = ringside(["boot", img, "--input", "kill 2\necho hi\nkill 5\nls /home\ncat /home/readme.txt\nkill 4\ncat /home/readme.txt\nps\nexit 5\n"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(5);
    expect(r.stdout).not.toContain("I/O error");
    // console: output continues on the new console server
    expect(after(r.stdout, "echo hi")).toBe("hi\n");
    // fs: restarted at once (no back-off): the next ls reaches the new file server
    expect(after(r.stdout, "ls /home")).toBe("readme.txt\n");
    // disk: the file server waited for the new disk server and repeated its request
    expect(r.stdout.split(README).length - 1).toBe(2);
    const ps = r.stdout.slice(r.stdout.lastIndexOf("  PID  PPID STATE    NAME"));
    expect(ps).toMatch(/\n +\d+ +6 blocked  disk\(\+1\)\n/); // restarted by rs (pid 6): its child
    expect(ps).toMatch(/\n +\d+ +6 blocked  fs\(\+1\)\n/);
    expect(ps).toMatch(/\n +\d+ +6 blocked  console\(\+1\)\n/);
    expect(ps).toMatch(/\n {4}3 {5}1 blocked  keyboard\n/); // never died: no count
  });

  it("input typed while the console is down waits in the UART for the new console", async () => {
    const img = await image("slowcon", (m) => m.replace(/^(server\s+console\s.*)backoff=0/m, "$1backoff=50"));
    const r = ringside(["boot", img, "--input", "kill 2\necho typed while the console was down\nexit 4\n"]);
    expect(r.code, r.stdout + r.stderr).toBe(4); // the shell's read failed (EIO) and was retried
    expect(r.stdout).toContain("typed while the console was down\n");
  });

  it.skipIf(solutionCut("recovery"))("a server with no restart policy stays down: calls fail with EIO, nothing hangs", async () => {
    const img = await image("nopolicy", (m) => m.replace(/^(server\s+(disk|fs)\s.*?) restart=\S+ backoff=\S+ heartbeat=\S+/gm, "$1"));
    const disk = ringside(["boot", img, "--input", "kill 4\ncat /home/readme.txt\nls\nexit 6\n"]);
    expect(disk.code, disk.stderr).toBe(6);
    // the file server waits ~1 s of virtual time for a disk that does not come back, then EIO
    expect(disk.stdout).toContain("sh: cat: I/O error\n$ sh: ls: I/O error\n");
    expect(disk.stdout).not.toContain(README);
    const fs = ringside(["boot", img, "--input", "kill 5\nls\necho still here\nexit 6\n"]);
    expect(fs.code, fs.stderr).toBe(6);
    expect(after(fs.stdout, "ls")).toBe("sh: ls: I/O error\n"); // the kernel answers EIO at once
    expect(after(fs.stdout, "echo still here")).toBe("sh: echo: I/O error\n"); // programs load through the fs
  });

  it("kills a server that stops answering its heartbeat and restarts it", async () => {
    const img = await image("hang", (m) => m.replace(/^(server\s+rs\s)/m, "server    hang      /boot/hang       dev=yes restart=3/100000 backoff=0 heartbeat=50\n$1"), { hang: HANG });
    const r = ringside(["boot", img, "--input", "write /dev/hang x\ncat /dev/hang\nps\nexit 2\n"]);
    expect(r.code, r.stderr).toBe(2);
    // The kernel sends the request once more to the restarted server, which hangs on it again: a
    // request that kills a second server fails (EIO) instead of being repeated for ever.
    expect(after(r.stdout, "write /dev/hang x")).toBe("write: /dev/hang: I/O error\n");
    expect(after(r.stdout, "cat /dev/hang")).toBe(""); // the third instance answers
    expect(after(r.stdout, "ps")).toMatch(/ blocked  hang\(\+2\)\n/);
  });

  it("gives up on a server that keeps failing, with one line on the console", async () => {
    const img = await image("crashy", (m) => m.replace(/^(server\s+rs\s)/m, "server    crashy    /boot/crashy     restart=2/100000 backoff=0\n$1"), { crashy: CRASHY });
    const r = ringside(["boot", img, "--input", "ps\nexit\n"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("rs: crashy failed too often; not restarting\n").length - 1).toBe(1);
    expect(after(r.stdout, "ps")).not.toContain("crashy");
  });
});
