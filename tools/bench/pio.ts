// The device path against the device: `read` of a 1 MiB file through the file server and the disk
// server (a ring-3 program reading 4 KiB at a time, microkernel shape: kernel → fs → disk → IDE and
// back) against the same sectors read straight from the IDE channel by one ring-3 program granted
// the ATA ports (a bench-only manifest server: READ SECTORS per contiguous run of the file, the
// alternate status polled per sector, the data moved with rep insd, no interrupts). A third machine
// measures one hop of the structure on its own: a bench-only server with the right to send to the
// disk server asks it for the file's 256 blocks (DISK_READ, 8 sectors each), so the disk server's
// part (a round trip, a command and an IRQ 14 per block) is seen without the file server's.
// Every program reads the file PASSES times in one machine; the first WARM passes are untimed (v86
// compiles a guest page once it is hot, synchronously, up to 30 ms a page: the servers' code is spread
// over three processes and the stub, and its last compiles come in the fourth or fifth pass); the
// host times each later pass between the console marks the program writes. The machines alternate,
// RUNS of each after an untimed one of each; the ratios are of the medians over all timed passes.
// Each pass checks its data: the reader counts the bytes, the other two compare the file's last
// 4 KiB block with what they read last.
import { readFileSync } from "node:fs";
import { createKernel } from "../build/kernel.ts";
import { loadBootImage } from "../../boot/loader.ts";
import { parseManifest } from "../../kernel/manifest.ts";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { median, r3, spread } from "./stats.ts";
import type { Bench, BenchResult } from "./types.ts";

const FILE_BYTES = 1024 * 1024;
const PASSES = 8; // per machine: WARM untimed, then PASSES - WARM timed
const WARM = 5;
const RUNS = Number(process.env.RINGSIDE_BENCH_REPS ?? 3);
const MARK_PASS = 0x70, MARK_END = 0x65; // "p" before each pass, "e" after the last
const SECTOR = 512;
const MAX_SECTORS = 256; // one READ SECTORS command (sector count 0 = 256)

/** Reads /home/big.bin to its end in 4 KiB read(2) calls, PASSES times; exits 1 on a short file. */
const READER = `
%include "ulib.inc"
section .data
path db "/home/big.bin", 0
m_pass db ${MARK_PASS}
m_end db ${MARK_END}
section .bss
passes resd 1
buf resb 4096
section .text
global _start
_start:
    mov dword [passes], ${PASSES}
.pass:
    SYSCALL SYS_write, 1, m_pass, 1
    SYSCALL SYS_open, path, O_RDONLY, 0
    test eax, eax
    js .fail
    mov esi, eax
    xor ebp, ebp
.loop:
    SYSCALL SYS_read, esi, buf, 4096
    test eax, eax
    js .fail
    jz .eof
    add ebp, eax
    jmp .loop
.eof:
    cmp ebp, ${FILE_BYTES}
    jne .fail
    SYSCALL SYS_close, esi
    dec dword [passes]
    jnz .pass
    SYSCALL SYS_write, 1, m_end, 1
    mov ebx, 0
    call ulib_exit
.fail:
    mov ebx, 1
    call ulib_exit
`;

/** Starts the PIO server and exits with its status. */
const INIT = `
%include "ulib.inc"
section .data
name db "pio", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, name, 0
    SYSCALL SYS_waitpid, eax, status, 0
    mov ebx, [status]
    shr ebx, 8
    call ulib_exit
`;

/**
 * Reads the file's sectors straight from the primary ATA master, PASSES times: per run of `runs`
 * (LBA, count ≤ 256) one READ SECTORS command, then per sector a poll of the alternate status for
 * DRQ and 128 insd into the 4 KiB buffer (sector k of the file at (k mod 8) × 512, so the buffer
 * ends holding the file's last block, compared with `last`). Exits 1 on a device error or a mismatch.
 */
function pioProgram(runs: [number, number][], last: Uint8Array): string {
  const table = runs.map(([lba, n]) => `    dd ${lba}, ${n}`).join("\n");
  const lastWords: string[] = [];
  for (let i = 0; i < last.length; i += 4) lastWords.push(String((last[i]! | (last[i + 1]! << 8) | (last[i + 2]! << 16) | (last[i + 3]! << 24)) >>> 0));
  return `
%include "ulib.inc"
ATA_DATA    equ 0x1f0
ATA_COUNT   equ 0x1f2
ATA_LBA0    equ 0x1f3
ATA_LBA1    equ 0x1f4
ATA_LBA2    equ 0x1f5
ATA_DRIVE   equ 0x1f6
ATA_CMD     equ 0x1f7
ATA_ALT     equ 0x3f6
section .data
m_pass db ${MARK_PASS}
m_end db ${MARK_END}
align 4
runs:
${table}
runs_end:
last:
    dd ${lastWords.join(", ")}
section .bss
passes resd 1
run resd 1
left resd 1
slot resd 1
buf resb 4096
section .text
global _start
_start:
    cld
    mov dword [passes], ${PASSES}
.pass:
    SYSCALL SYS_write, 1, m_pass, 1
    mov dword [run], runs
    mov dword [slot], 0
.run:
    mov esi, [run]
    cmp esi, runs_end
    jae .checked
    call wait_ready
    mov eax, [esi]
    shr eax, 24
    and al, 0x0f
    or al, 0xe0                 ; LBA, master, LBA bits 24-27
    mov dx, ATA_DRIVE
    out dx, al
    mov eax, [esi + 4]
    mov [left], eax
    mov dx, ATA_COUNT
    out dx, al                  ; 256 is sent as 0
    mov eax, [esi]
    mov dx, ATA_LBA0
    out dx, al
    shr eax, 8
    mov dx, ATA_LBA1
    out dx, al
    shr eax, 8
    mov dx, ATA_LBA2
    out dx, al
    mov al, 0x20                ; READ SECTORS
    mov dx, ATA_CMD
    out dx, al
.sector:
    call wait_drq
    mov edi, [slot]
    shl edi, 9
    add edi, buf
    mov ecx, ${SECTOR / 4}
    mov dx, ATA_DATA
    rep insd
    mov eax, [slot]
    inc eax
    and eax, 7
    mov [slot], eax
    dec dword [left]
    jnz .sector
    add dword [run], 8
    jmp .run
.checked:
    mov esi, buf
    mov edi, last
    mov ecx, 1024
    repe cmpsd
    jne fail
    dec dword [passes]
    jnz .pass
    SYSCALL SYS_write, 1, m_end, 1
    mov ebx, 0
    call ulib_exit

; wait_ready: polls the alternate status until BSY clears. Uses EAX, EDX.
wait_ready:
    mov dx, ATA_ALT
.poll:
    in al, dx
    test al, 0x80
    jnz .poll
    ret

; wait_drq: polls the alternate status until the drive has a sector (DRQ, not BSY); exits on ERR/DF.
wait_drq:
    mov dx, ATA_ALT
.poll:
    in al, dx
    test al, 0x80
    jnz .poll
    test al, 0x21
    jnz fail
    test al, 0x08
    jz .poll
    ret

fail:
    mov ebx, 1
    call ulib_exit
`;
}

/**
 * Asks the disk server for the file's blocks (`lbas`, one DISK_READ of 8 sectors each into one 4 KiB
 * buffer), PASSES times; compares the last block with `last`. Exits 1 on an error or a mismatch.
 */
function diskCaller(lbas: number[], last: Uint8Array): string {
  const lastWords: string[] = [];
  for (let i = 0; i < last.length; i += 4) lastWords.push(String((last[i]! | (last[i + 1]! << 8) | (last[i + 2]! << 16) | (last[i + 3]! << 24)) >>> 0));
  return `
%include "ulib.inc"
section .data
disk db "disk", 0
m_pass db ${MARK_PASS}
m_end db ${MARK_END}
align 4
lbas:
${lbas.map((l) => `    dd ${l}`).join("\n")}
lbas_end:
last:
    dd ${lastWords.join(", ")}
section .bss
passes resd 1
ep resd 1
cur resd 1
buf resb 4096
section .text
global _start
_start:
    cld
    mov dword [passes], ${PASSES}
    SYSCALL SYS_ipc_lookup, disk
    test eax, eax
    jle fail
    mov [ep], eax
.pass:
    SYSCALL SYS_write, 1, m_pass, 1
    mov dword [cur], lbas
.block:
    mov eax, [cur]
    mov ebx, [ep]
    mov ecx, MSG_DISK_READ
    mov edx, [eax]              ; w1 = LBA
    mov ebp, 8                  ; w2 = sectors
    mov esi, buf
    mov edi, 4096 << 16         ; nothing sent, 4 KiB back
    mov eax, SYS_ipc_call
    int 0x80
    test eax, eax
    jnz fail
    cmp ecx, 4096
    jne fail
    add dword [cur], 4
    cmp dword [cur], lbas_end
    jb .block
    mov esi, buf
    mov edi, last
    mov ecx, 1024
    repe cmpsd
    jne fail
    dec dword [passes]
    jnz .pass
    SYSCALL SYS_write, 1, m_end, 1
    mov ebx, 0
    call ulib_exit
fail:
    mov ebx, 1
    call ulib_exit
`;
}

/** Starts the disk server and the disk caller, and exits with the caller's status. */
const INIT_DISK = `
%include "ulib.inc"
section .data
disk db "disk", 0
caller db "dcall", 0
status dd 0
section .text
global _start
_start:
    SYSCALL SYS_spawn, disk, 0
    SYSCALL SYS_spawn, caller, 0
    SYSCALL SYS_waitpid, eax, status, 0
    mov ebx, [status]
    shr ebx, 8
    call ulib_exit
`;

/** The file's data sectors as runs of contiguous LBAs, at most MAX_SECTORS each. */
function sectorRuns(fs: Rsfs, path: string): [number, number][] {
  const ino = fs.stat(path)!.ino;
  const inode = fs.readInode(ino);
  const runs: [number, number][] = [];
  const spb = 4096 / SECTOR;
  for (let idx = 0; idx < FILE_BYTES / 4096; idx++) {
    const lba = fs.bmap(inode, idx) * spb;
    const prev = runs.at(-1);
    if (prev && prev[0] + prev[1] === lba && prev[1] + spb <= MAX_SECTORS) prev[1] += spb;
    else runs.push([lba, spb]);
  }
  return runs;
}

/** Boots a machine and returns the wall ms of each pass after the first (between the marks). */
async function timePasses(start: () => ReturnType<typeof createKernel>, what: string): Promise<number[]> {
  const marks: number[] = [];
  let ended = false;
  const k = await start();
  k.machine.onSerialOutput((b) => {
    if (b === MARK_PASS) marks.push(performance.now());
    else if (b === MARK_END) {
      marks.push(performance.now());
      ended = true;
    }
  });
  const r = await k.run();
  k.destroy();
  if (r.status !== 0 || !ended || marks.length !== PASSES + 1) throw new Error(`the ${what} failed: ${r.reason} status ${r.status} ${r.panic ?? ""}`);
  const ms: number[] = [];
  for (let i = WARM + 1; i < marks.length; i++) ms.push(marks[i]! - marks[i - 1]!);
  return ms;
}

export const pioBench: Bench = {
  name: "pio",
  async run(): Promise<BenchResult[]> {
    const fs = Rsfs.open(new Uint8Array(readFileSync(await ensureDefaultImage())));
    const big = new Uint8Array(FILE_BYTES);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    fs.writeFile("/home/big.bin", big);
    fs.writeFile("/bin/readbig", await assembleProgram("readbig.asm", READER));
    const text = new TextDecoder().decode(fs.readFile("/boot/manifest")).replace(/^shell\s.*$/m, "shell readbig /bin/readbig");
    fs.writeFile("/boot/manifest", new TextEncoder().encode(text));
    const runs = sectorRuns(fs, "/home/big.bin");
    const inode = fs.readInode(fs.stat("/home/big.bin")!.ino);
    const lbas: number[] = [];
    for (let idx = 0; idx < FILE_BYTES / 4096; idx++) lbas.push(fs.bmap(inode, idx) * (4096 / SECTOR));
    const diskServer = fs.readFile("/boot/disk");
    const disk = fs.bytes;
    const lastBlock = big.subarray(FILE_BYTES - 4096);
    const [init, pio, initDisk, dcall] = await Promise.all([
      assembleProgram("init.asm", INIT),
      assembleProgram("pio.asm", pioProgram(runs, lastBlock)),
      assembleProgram("init.asm", INIT_DISK),
      assembleProgram("dcall.asm", diskCaller(lbas, lastBlock)),
    ]);
    const manifest = parseManifest("server pio /pio ports=0x1f0-0x1f7,0x3f6\ninit init /init\nshell sh /bin/sh\n");
    const diskManifest = parseManifest("server disk /disk irq=14 ports=0x1f0-0x1f7,0x3f6\nserver dcall /dcall send=disk\ninit init /init\nshell sh /bin/sh\n");

    const viaServers = () => timePasses(() => createKernel({ ...loadBootImage(disk.slice()), mode: "microkernel", onIdle: () => false }), "read through fs + disk");
    const direct = () =>
      timePasses(
        () => createKernel({ programs: [{ name: "init", image: init }], modules: [{ name: "pio", image: pio }], manifest, hda: disk.slice(), mode: "microkernel", onIdle: () => false }),
        "direct PIO read",
      );
    const diskOnly = () =>
      timePasses(
        () =>
          createKernel({
            programs: [{ name: "init", image: initDisk }],
            modules: [{ name: "disk", image: diskServer }, { name: "dcall", image: dcall }],
            manifest: diskManifest,
            hda: disk.slice(),
            mode: "microkernel",
            onIdle: () => false,
          }),
        "DISK_READ calls to the disk server",
      );
    await viaServers();
    await direct();
    await diskOnly();
    const served: number[] = [], raw: number[] = [], disked: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      served.push(...(await viaServers()));
      raw.push(...(await direct()));
      disked.push(...(await diskOnly()));
    }
    const ratio = median(served) / median(raw);
    const diskRatio = median(disked) / median(raw);
    const sectors = runs.reduce((n, [, c]) => n + c, 0);
    const how = `min/median/max over ${served.length} passes each: ${RUNS} alternating machines × ${PASSES - WARM} timed passes, after an untimed machine of each and ${WARM} untimed passes in every machine`;
    return [
      {
        id: "file_read_vs_pio",
        value: r3(ratio),
        unit: "ratio",
        goal: "≤ 1.5",
        ok: ratio <= 1.5,
        detail: `1 MiB read(2) in 4 KiB calls through the fs and disk servers ${spread(served, 1)} ms ÷ the same ${sectors} sectors (${runs.length} READ SECTORS commands) read by one ring-3 program granted the ATA ports (rep insd, polled) ${spread(raw, 1)} ms (${how})`,
      },
      {
        id: "disk_read_vs_pio",
        value: r3(diskRatio),
        unit: "ratio",
        detail: `the disk server alone: the file's ${lbas.length} blocks asked of it by a ring-3 server (DISK_READ, 8 sectors: a round trip, a READ MULTIPLE and an IRQ 14 each) ${spread(disked, 1)} ms ÷ the direct PIO read ${spread(raw, 1)} ms (${how}, alternating with the two above)`,
      },
    ];
  },
};
