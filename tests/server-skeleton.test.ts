// The server skeleton (servers/lib/server.inc) that console, keyboard, disk and fs share: every server
// answers a request type outside its handler table with -ENOSYS (the keyboard, which has no handlers,
// included), and still serves its own requests afterwards. A probe program, declared as a server with
// send rights to all four, is started last by tests/fixtures/programs/drvinit.asm in the default image.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prog, ringside } from "./helpers/cli.ts";
import { buildDefaultImage } from "../tools/image/default.ts";
import { Rsfs } from "../kernel/fs/rsfs.ts";
import { assembleProgram } from "../tools/cli/program.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-skel-"));

/** For each (server, w0): ipc_call(server, w0) and print "<server> <w0>: <reply w0>" (signed). */
const PROBE = `
%include "ulib.inc"
section .data
n_console   db "console", 0
n_keyboard  db "keyboard", 0
n_disk      db "disk", 0
n_fs        db "fs", 0
s_colon     db ": ", 0
s_space     db " ", 0
s_minus     db "-", 0
s_nl        db 10, 0
probes      dd n_console, 0, n_console, MSG_CON_TCSETS + 1, n_keyboard, 0, n_keyboard, MSG_CON_WRITE
            dd n_disk, MSG_DISK_READ - 1, n_disk, MSG_DISK_SIZE + 1, n_fs, MSG_FS_OPEN - 1
            dd n_fs, MSG_FS_READDIR + 1, n_disk, MSG_DISK_SIZE, n_fs, MSG_FS_CLOSE, 0
section .bss
buf         resb 64
section .text
global _start
_start:
    cld
    mov edi, probes
.next:
    mov esi, [edi]
    test esi, esi
    jz .done
    call ulib_puts
    push esi
    mov esi, s_space
    call ulib_puts
    mov eax, [edi+4]
    call ulib_putdec
    mov esi, s_colon
    call ulib_puts
    pop esi
    push edi
    SYSCALL SYS_ipc_lookup, esi
    mov ebx, eax
    mov ecx, [edi+4]
    xor edx, edx
    xor ebp, ebp
    mov esi, buf
    mov edi, 64 << 16
    mov eax, SYS_ipc_call
    int 0x80
    test eax, eax
    jnz .print                  ; the IPC itself failed: print its error
    mov eax, ecx
.print:
    test eax, eax
    jns .positive
    push eax
    mov esi, s_minus
    call ulib_puts
    pop eax
    neg eax
.positive:
    call ulib_putdec
    mov esi, s_nl
    call ulib_puts
    pop edi
    add edi, 8
    jmp .next
.done:
    xor ebx, ebx
    call ulib_exit
`;

describe("the server skeleton", () => {
  it.skipIf(solutionCut("ipc"))("answers unknown request types -ENOSYS in console, keyboard, disk and fs, and keeps serving", async () => {
    const fs = Rsfs.open(await buildDefaultImage());
    const manifest = new TextDecoder().decode(fs.readFile("/boot/manifest"));
    const servers = manifest.split("\n").filter((l) => /^server\s/.test(l));
    expect(servers.map((l) => l.split(/\s+/)[1])).toEqual(["console", "keyboard", "disk", "fs", "rs"]); // rs: the reincarnation server
    const probeFile = path.join(dir, "probe.asm");
    writeFileSync(probeFile, PROBE);
    fs.mkdir("/tests");
    fs.writeFile("/tests/probe", await assembleProgram(probeFile, PROBE));
    const init = prog("drvinit.asm");
    fs.writeFile("/tests/drvinit", await assembleProgram(init, readFileSync(init, "utf8")));
    const lines = [...servers, "server probe /tests/probe send=console,keyboard,disk,fs", "init drvinit /tests/drvinit", "shell sh /bin/sh", ""];
    fs.writeFile("/boot/manifest", new TextEncoder().encode(lines.join("\n")));
    const img = path.join(dir, "skeleton.img");
    writeFileSync(img, fs.bytes);

    const r = ringside(["boot", img]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const sectors = 8 * 1024 * 1024 / 512;
    expect(r.stdout).toBe(
      [
        "console 0: -38",
        "console 6: -38",
        "keyboard 0: -38",
        "keyboard 1: -38",
        "disk 31: -38",
        "disk 35: -38",
        "fs 15: -38",
        "fs 23: -38",
        `disk 34: ${sectors}`,
        "fs 19: 0",
        "",
      ].join("\n"),
    );
  }, 120_000);
});
