// The file service under a hostile program (hardening items 1 and 6), in both shapes (ring-3 fs.asm
// and the in-kernel kernel/fs/fs-service.ts): /boot is not writable by programs, and O_APPEND appends
// at the size the file service knows (two descriptors appending lose nothing; lseek SEEK_END too).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prog, ringside } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-hfs-"));
const img = path.join(dir, "disk.img");
const src = path.join(dir, "hostile.asm");

const PROGRAM = `
%include "ulib.inc"
section .data
manifest db "/boot/manifest", 0
newf     db "/boot/new", 0
subdir   db "/boot/sub", 0
bootd    db "//boot/", 0
file     db "/home/app.txt", 0
aaaa     db "AAAA"
bb       db "BB"
minus    db "-", 0
nl       db 10, 0
section .bss
fd1      resd 1
fd2      resd 1
buf      resb 64
section .text
global _start
_start:
    SYSCALL SYS_open, manifest, O_WRONLY, 0
    call show
    SYSCALL SYS_open, manifest, O_RDONLY | O_TRUNC, 0
    call show
    SYSCALL SYS_open, newf, O_WRONLY | O_CREAT, 0
    call show
    SYSCALL SYS_unlink, manifest
    call show
    SYSCALL SYS_rmdir, bootd
    call show
    SYSCALL SYS_mkdir, subdir, 0
    call show
    SYSCALL SYS_open, manifest, O_RDONLY, 0
    call show
    SYSCALL SYS_close, eax
    ; two descriptors appending to one file
    SYSCALL SYS_open, file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0
    mov [fd1], eax
    SYSCALL SYS_open, file, O_WRONLY | O_APPEND, 0
    mov [fd2], eax
    SYSCALL SYS_write, [fd1], aaaa, 4
    call show
    SYSCALL SYS_write, [fd2], bb, 2
    call show
    SYSCALL SYS_lseek, [fd1], 0, SEEK_END
    call show
    SYSCALL SYS_write, [fd1], aaaa, 4
    call show
    SYSCALL SYS_open, file, O_RDONLY, 0
    SYSCALL SYS_read, eax, buf, 64
    mov byte [buf + eax], 0
    mov esi, buf
    call ulib_puts
    mov esi, nl
    call ulib_puts
    SYSCALL SYS_exit, 0

; show: prints EAX as a signed decimal and a newline; preserves EAX.
show:
    push eax
    test eax, eax
    jns .pos
    mov esi, minus
    call ulib_puts
    mov eax, [esp]
    neg eax
.pos:
    call ulib_putdec
    mov esi, nl
    call ulib_puts
    pop eax
    ret
`;

beforeAll(() => {
  writeFileSync(src, PROGRAM);
  const r = ringside(["image", "build", "-o", img]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe("/boot and O_APPEND in the file service", () => {
  for (const mode of ["microkernel", "monolithic"]) {
    it.skipIf(solutionCut("ipc") && mode === "microkernel")(`a program cannot write /boot; appends through two descriptors keep every byte (${mode})`, () => {
      const r = ringside(["run", "--mode", mode, "--image", img, src]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split("\n")).toEqual([
        "-13", "-13", "-13", "-13", "-13", "-13", // open for writing, truncate, create, unlink, rmdir, mkdir under /boot
        "3", // reading /boot is fine
        "4", "2", "6", "4", // appends: fd1, fd2, lseek(fd1, 0, SEEK_END) sees fd2's bytes, fd1 again
        "AAAABBAAAA",
        "",
      ]);
    }, 120_000);

    it.skipIf(solutionCut("ipc") && mode === "microkernel")(`a descriptor of a removed file is cut off (-EBADF): it never reaches the next file given the inode (${mode})`, () => {
      const disk = path.join(dir, `unlinkopen-${mode}.img`);
      expect(ringside(["image", "build", "-o", disk]).code).toBe(0);
      const r = ringside(["run", "--mode", mode, "--image", disk, prog("unlinkopen.asm")]);
      expect(r.code, `failed check ${r.code}: ${r.stderr}`).toBe(0);
      expect(ringside(["image", "cat", disk, "/home/secret"]).stdout).toBe("SECRET-DATA\n");
      expect(ringside(["image", "fsck", disk]).stdout).toBe("clean\n");
      expect(ringside(["image", "ls", disk, "/home"]).stdout).not.toContain("old");
    }, 120_000);

    it.skipIf(solutionCut("ipc") && mode === "microkernel")(`cat and echo say "write error" when their output fills the disk (cat: not that its input failed) (${mode})`, () => {
      const small = path.join(dir, `small-${mode}.img`);
      expect(ringside(["image", "build", "-o", small, "--size", "1"]).code).toBe(0);
      const r = ringside(["boot", small, "--snapshot", "--mode", mode, "--input", "cat /bin/sh >> /home/big\n".repeat(40) + "echo hi > /home/small\nexit\n"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("cat: write error: No space left on device\n");
      expect(r.stdout).not.toContain("cat: /bin/sh:");
      expect(r.stdout).toContain("$ echo hi > /home/small\necho: write error: No space left on device\n"); // not silent
    }, 120_000);

    it.skipIf(solutionCut("ipc") && mode === "microkernel")(`a write at the largest file size is -EFBIG, not -ENOSPC; one across it writes what fits (${mode})`, () => {
      const r = ringside(["run", "--mode", mode, "--image", img, "--snapshot", prog("filemax.asm")]);
      expect(r.code, `failed check ${r.code}: ${r.stderr}`).toBe(0);
    }, 120_000);
  }
});
