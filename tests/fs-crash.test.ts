// The ring-3 file server is crash-safe (docs/image.md, "Crash safety"): its write-through order can
// only leak (an inode or block allocated but unreferenced, a pointer past a file's size), and mount
// repairs leaks (servers/fs/repair.inc; Rsfs.mount "server" does the same on the host). Checked on
// every disk state a workload of creates, writes, mkdir and unlink passes through (a kill at any
// instruction leaves one of them): mounted again, each must be fsck-clean with every step the
// program had acknowledged (printed "ackN") readable.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDefaultImage } from "../tools/image/default.ts";
import { MemoryBlockDevice, Rsfs, TYPE_FILE, Inode } from "../kernel/fs/rsfs.ts";
import { assembleProgram } from "../tools/cli/program.ts";
import { loadBootImage } from "../boot/loader.ts";
import { createKernel } from "../tools/build/kernel.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-crash-"));

/** The workload: five acknowledged steps, each printed "ackN" once it returned. */
const CRASHW = `
%include "ulib.inc"
section .data
s_start db "start", 10, 0
p1  db "/home/c1", 0
p2  db "/home/d", 0
p3  db "/home/d/c2", 0
p5  db "/home/c3", 0
a1  db "ack1", 10, 0
a2  db "ack2", 10, 0
a3  db "ack3", 10, 0
a4  db "ack4", 10, 0
a5  db "ack5", 10, 0
s_fail db "fail", 10, 0
section .bss
fd  resd 1
buf resb 4096
section .text
global _start
_start:
    mov esi, s_start
    call ulib_puts
    mov ebx, p1                 ; 1. /home/c1: 6000 bytes 'A'
    mov ecx, 6000
    mov al, 'A'
    call make_file
    mov esi, a1
    call ulib_puts
    SYSCALL SYS_mkdir, p2, 0    ; 2. /home/d
    test eax, eax
    js fail
    mov esi, a2
    call ulib_puts
    mov ebx, p3                 ; 3. /home/d/c2: 60000 bytes 'B' (15 blocks: the indirect block too)
    mov ecx, 60000
    mov al, 'B'
    call make_file
    mov esi, a3
    call ulib_puts
    SYSCALL SYS_unlink, p1      ; 4. no /home/c1
    test eax, eax
    js fail
    mov esi, a4
    call ulib_puts
    mov ebx, p5                 ; 5. /home/c3: 100 bytes 'C'
    mov ecx, 100
    mov al, 'C'
    call make_file
    mov esi, a5
    call ulib_puts
    xor ebx, ebx
    call ulib_exit
fail:
    mov esi, s_fail
    call ulib_puts
    mov ebx, 1
    call ulib_exit

; make_file: creates file EBX with ECX bytes AL (written 4096 at a time), closes it.
make_file:
    push ecx
    mov edi, buf
    mov ecx, 4096
    rep stosb
    pop ebp                     ; EBP = bytes left
    SYSCALL SYS_open, ebx, O_CREAT | O_WRONLY | O_TRUNC, 0
    test eax, eax
    js fail
    mov [fd], eax
.more:
    test ebp, ebp
    jz .close
    mov edx, ebp
    cmp edx, 4096
    jbe .n
    mov edx, 4096
.n:
    SYSCALL SYS_write, [fd], buf
    test eax, eax
    jle fail
    sub ebp, eax
    jmp .more
.close:
    SYSCALL SYS_close, [fd]
    ret
`;

const fill = (n: number, ch: string): Uint8Array => new Uint8Array(n).fill(ch.charCodeAt(0));
/** Byte equality (vitest's toEqual on megabytes is far too slow). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

let image: Uint8Array;

beforeAll(async () => {
  const fs = Rsfs.open(new Uint8Array(readFileSync(await ensureDefaultImage())));
  const src = path.join(dir, "crashw.asm");
  writeFileSync(src, CRASHW);
  fs.writeFile("/bin/crashw", await assembleProgram(src, CRASHW));
  const manifest = new TextDecoder().decode(fs.readFile("/boot/manifest")).replace(/^shell\s.*$/m, "shell sh /bin/crashw");
  fs.writeFile("/boot/manifest", new TextEncoder().encode(manifest));
  expect(fs.fsck()).toEqual([]);
  image = fs.bytes.slice();
}, 120_000);

interface Run {
  disk: Uint8Array;
  lines: { text: string; icount: number }[];
  reason: string;
  icount: number;
}

/**
 * Boots a copy of `disk` (microkernel mode) until the end or `max` instructions; the shell is
 * `shell` (default: the manifest's). Returns the disk as the guest left it and the lines printed.
 */
async function boot(disk: Uint8Array, max?: number, shell?: string): Promise<Run> {
  const b = loadBootImage(disk.slice());
  if (shell) b.programs[0]!.argv = [...(b.programs[0]!.argv ?? []).slice(0, -1), shell];
  const lines: { text: string; icount: number }[] = [];
  let cur = "";
  const k = await createKernel({
    ...b,
    mode: "microkernel",
    maxInstructions: max,
    onConsole: (c) => {
      if (c !== 10) return void (cur += String.fromCharCode(c));
      lines.push({ text: cur, icount: k.machine.icount() });
      cur = "";
    },
    onIdle: () => false,
  });
  const r = await k.run();
  k.destroy();
  return { disk: b.hda, lines, reason: r.reason, icount: r.icount };
}

/** The checks after a crash: mounted (repaired) as the file server mounts, fsck-clean, acknowledged steps there. */
function checkAcknowledged(disk: Uint8Array, acks: Set<string>, label: string): void {
  const fs = Rsfs.mount(new MemoryBlockDevice(disk), "server");
  expect(fs.fsck(), label).toEqual([]);
  // /home/c1 is there whole from ack1 until the unlink (issued after ack3) starts; whole or gone until ack4.
  if (acks.has("ack1") && !acks.has("ack3")) expect(same(fs.readFile("/home/c1"), fill(6000, "A")), label).toBe(true);
  if (acks.has("ack3") && !acks.has("ack4") && fs.stat("/home/c1")) expect(same(fs.readFile("/home/c1"), fill(6000, "A")), label).toBe(true);
  if (acks.has("ack2")) expect(fs.stat("/home/d")?.type, label).toBe("dir");
  if (acks.has("ack3")) expect(same(fs.readFile("/home/d/c2"), fill(60000, "B")), label).toBe(true);
  if (acks.has("ack4")) expect(fs.stat("/home/c1"), label).toBeUndefined();
  if (acks.has("ack5")) expect(same(fs.readFile("/home/c3"), fill(100, "C")), label).toBe(true);
}

describe.skipIf(solutionCut("ipc"))("the file server after a crash", () => {
  it("repairs leaks at mount, in ring 3 exactly as the host library does, and a clean image not at all", async () => {
    // A clean image: the host repair changes nothing.
    const clean = image.slice();
    expect(Rsfs.mount(new MemoryBlockDevice(clean), "server").repair()).toEqual({ inodes: 0, pointers: 0, bits: 0 });
    expect(same(clean, image)).toBe(true);
    // Every kind of leak a crash can leave.
    const fs = Rsfs.open(image.slice());
    fs.writeFile("/home/keep.txt", fill(9000, "k"));
    const lost = fs.allocInode(); // an inode no entry names, with a block
    const orphan = new Inode().init(lost, TYPE_FILE);
    orphan.setDirect(0, fs.allocBlock());
    orphan.size = 10;
    fs.writeInode(orphan);
    fs.allocBlock(); // a block nothing uses
    const keep = fs.readInode(fs.stat("/home/keep.txt")!.ino);
    keep.setDirect(3, fs.allocBlock()); // a pointer past the size
    fs.writeInode(keep);
    fs.writeFile("/home/long.bin", fill(13 * 4096, "l")); // 13 blocks: an indirect block listing one
    const long = fs.readInode(fs.stat("/home/long.bin")!.ino);
    long.size = 12 * 4096; // its 13th block and the indirect block now past the size
    fs.writeInode(long);
    const broken = fs.bytes.slice();
    const problems = Rsfs.check(broken.slice());
    expect(problems.length).toBeGreaterThanOrEqual(5);

    const host = broken.slice();
    const mounted = Rsfs.mount(new MemoryBlockDevice(host), "server"); // repairs
    expect(mounted.repair()).toEqual({ inodes: 0, pointers: 0, bits: 0 }); // nothing left to repair
    expect(Rsfs.check(host.slice())).toEqual([]);
    const after = Rsfs.open(host.slice());
    expect(same(after.readFile("/home/keep.txt"), fill(9000, "k"))).toBe(true);
    expect(same(after.readFile("/home/long.bin"), fill(12 * 4096, "l"))).toBe(true);

    const ring3 = await boot(broken, undefined, "/bin/echo");
    expect(ring3.reason).toBe("shutdown");
    expect(Rsfs.check(ring3.disk.slice())).toEqual([]);
    expect(same(ring3.disk, host)).toBe(true);
  }, 60_000);

  it("leaves an fsck-clean image with every acknowledged step readable, wherever the file server dies", async () => {
    // The disk only changes a sector at a time, so the disk states a kill (of the file server, of the
    // disk server, of the machine) at any instruction can leave are exactly the states between two
    // sector writes: record every one of them, with the steps acknowledged by then. (An instruction
    // limit cannot do this: the emulator checks it only between its long main-loop passes.)
    const b = loadBootImage(image.slice());
    const lines: string[] = [];
    let cur = "";
    const states: { disk: Uint8Array; acks: Set<string> }[] = [];
    const WATCH = 1 << 20; // the metadata and the first data blocks: where this workload writes
    let last = Buffer.from(b.hda.subarray(0, WATCH));
    const k = await createKernel({
      ...b,
      mode: "microkernel",
      onConsole: (c) => {
        if (c !== 10) return void (cur += String.fromCharCode(c));
        lines.push(cur);
        cur = "";
      },
      onIdle: () => false,
    });
    const kernel = k as unknown as { hypercall(v: number): void };
    const hypercall = kernel.hypercall.bind(k);
    kernel.hypercall = (v: number) => {
      hypercall(v);
      const now = Buffer.from(b.hda.buffer, b.hda.byteOffset, WATCH);
      if (now.equals(last)) return;
      last = Buffer.from(now);
      states.push({ disk: b.hda.slice(), acks: new Set(lines.filter((t) => t.startsWith("ack"))) });
    };
    const r = await k.run();
    k.destroy();
    expect(r.reason).toBe("shutdown");
    expect(lines).toContain("ack5");
    expect(lines).not.toContain("fail");
    expect(states.length).toBeGreaterThan(50); // one per disk write (a few sectors each) the boot and the workload make
    const acked = states.filter((s) => s.acks.size > 0 && s.acks.size < 5).length;
    expect(acked).toBeGreaterThan(20); // states in the middle of the workload
    for (const [i, st] of states.entries()) checkAcknowledged(st.disk.slice(), st.acks, `disk state ${i} of ${states.length}, after ${[...st.acks].join(",") || "no step"}`);
    // The ring-3 file server's own repair at the next boot leaves the same bytes as the host's.
    for (const i of [Math.floor(states.length / 5), Math.floor(states.length / 2), states.length - 3]) {
      const st = states[i]!;
      const again = await boot(st.disk, undefined, "/bin/echo");
      expect(again.reason).toBe("shutdown");
      const host = st.disk.slice();
      Rsfs.mount(new MemoryBlockDevice(host), "server");
      expect(same(again.disk, host), `disk state ${i}`).toBe(true);
    }
  }, 240_000);
});
