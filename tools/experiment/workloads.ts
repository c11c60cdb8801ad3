// The experiments' workloads and the disk images they run on. Each workload is a NASM program that
// becomes the shell of an image built from the default one (so init starts it once the services
// run); the measured part lies between two `getppid` calls, which the trace shows as marks.
// Images are written to build/experiments/ so every replay command can name its image.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Rsfs } from "../../kernel/fs/rsfs.ts";
import { assembleProgram } from "../asm/program.ts";
import { ensureDefaultImage } from "../image/default.ts";
import { fromRoot } from "../paths.ts";

export const BIG_BYTES = 1024 * 1024;
export const SMALL_WRITES = 1000;
export const BATCH_BYTES = 64 * 1024;

const MARK = "    mov eax, SYS_getppid\n    int 0x80\n";

/** One open, one 64-byte read, one 64-byte write to the console, one close — each call measured from the trace. */
const REQ = `
%include "ulib.inc"
section .data
path db "/home/readme.txt", 0
section .bss
buf resb 64
fd resd 1
section .text
global _start
_start:
${MARK}
    SYSCALL SYS_open, path, O_RDONLY, 0
    mov [fd], eax
    SYSCALL SYS_read, [fd], buf, 64
    SYSCALL SYS_write, 1, buf, 64
    SYSCALL SYS_close, [fd]
${MARK}
    mov ebx, 0
    call ulib_exit
`;

/** Reads /home/big.bin in \`chunk\`-byte reads; with \`echo\`, writes each piece to the console (cat). */
const reader = (chunk: number, limit: number, echo: boolean) => `
%include "ulib.inc"
section .data
path db "/home/big.bin", 0
section .bss
buf resb ${chunk}
fd resd 1
left resd 1
section .text
global _start
_start:
${MARK}
    SYSCALL SYS_open, path, O_RDONLY, 0
    test eax, eax
    js .fail
    mov [fd], eax
    mov dword [left], ${limit}
.next:
    SYSCALL SYS_read, [fd], buf, ${chunk}
    test eax, eax
    js .fail
    jz .done
    sub [left], eax
${echo ? "    mov ebx, 1\n    mov ecx, buf\n    mov edx, eax\n    call ulib_write_all\n" : ""}
    cmp dword [left], 0
    jg .next
.done:
    SYSCALL SYS_close, [fd]
${MARK}
    mov ebx, 0
    call ulib_exit
.fail:
    mov ebx, 1
    call ulib_exit
`;

/** Creates /home/small.txt and makes ${SMALL_WRITES} writes of 16 bytes to it. */
const WRITES = `
%include "ulib.inc"
section .data
path db "/home/small.txt", 0
line db "0123456789abcde", 10
section .bss
fd resd 1
left resd 1
section .text
global _start
_start:
${MARK}
    SYSCALL SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, 0
    mov [fd], eax
    mov dword [left], ${SMALL_WRITES}
.next:
    SYSCALL SYS_write, [fd], line, 16
    dec dword [left]
    jnz .next
    SYSCALL SYS_close, [fd]
${MARK}
    mov ebx, 0
    call ulib_exit
`;

export const WORKLOADS: Record<string, () => string> = {
  req: () => REQ,
  catbig: () => reader(4096, BIG_BYTES, true),
  writes: () => WRITES,
  batch64: () => reader(64, BATCH_BYTES, false),
  batch4k: () => reader(4096, BATCH_BYTES, false),
  torture: () => readFileSync(fromRoot("servers", "apps", "torture.asm"), "utf8"),
};

/** Where the experiments' images live. */
export const EXPERIMENT_DIR = fromRoot("build", "experiments");

/**
 * Writes build/experiments/<name>.img: the default image with /home/big.bin and, unless `shell` is
 * null, workload `shell` as the shell; `manifest` may rewrite the boot manifest. Returns its path
 * relative to the repository root (for replay commands).
 */
export async function buildImage(name: string, shell: string | null, manifest: (t: string) => string = (t) => t): Promise<string> {
  const fs = Rsfs.open(new Uint8Array(readFileSync(await ensureDefaultImage())));
  const big = new Uint8Array(BIG_BYTES);
  for (let i = 0; i < big.length; i++) big[i] = 0x20 + (((i * 2654435761) >>> 24) % 0x5f);
  fs.writeFile("/home/big.bin", big);
  let text = new TextDecoder().decode(fs.readFile("/boot/manifest"));
  if (shell) {
    fs.writeFile(`/bin/${shell}`, await assembleProgram(`${shell}.asm`, WORKLOADS[shell]!()));
    text = text.replace(/^shell\s.*$/m, `shell ${shell} /bin/${shell}`);
  }
  fs.writeFile("/boot/manifest", new TextEncoder().encode(manifest(text)));
  mkdirSync(EXPERIMENT_DIR, { recursive: true });
  const file = path.join(EXPERIMENT_DIR, `${name}.img`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, fs.bytes);
  renameSync(tmp, file);
  return path.relative(fromRoot(), file);
}

/** A manifest without the reincarnation server (nothing is restarted, nothing pinged). */
export function withoutRs(text: string): string {
  return text.replace(/^server\s+rs\s.*\n/m, "").replace(/ (restart|backoff|heartbeat)=\S+/g, "");
}
