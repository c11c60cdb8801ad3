// Generates servers/lib/ringside.inc — the user-space ABI for NASM programs — from the kernel's
// own tables, so numbers have one source of truth. `npm run gen` rewrites the file; a test fails
// if the committed copy is stale.
import { IMPLEMENTED_SYSCALLS, UNIMPLEMENTED_SYSCALLS } from "./abi/syscall-table.ts";
import { E, errnoName } from "./abi/errno.ts";
import { DT, ENDPOINT, FS_APPEND, FS_FLAG, FTYPE, IPC_MAX, MSG, NOTIFY, O, PROCINFO, PSTATE, SECTOR, SEEK, SERVERINFO, SERVERINFO_FLAGS } from "./protocol.ts";
import { SIG, SIG_DFL, SIG_IGN } from "./signals.ts";
import { O_CLOEXEC, TCGETS, TCSETS, TCSETSF, TCSETSW, TERMIOS_LFLAG, TERMIOS_SIZE, TIOCGPGRP, TIOCSPGRP } from "./sys/unix.ts";
import { ECHO, ICANON, ISIG } from "./drivers/line-discipline.ts";

/** The text of servers/lib/ringside.inc. */
export function ringsideInclude(): string {
  const out: string[] = [
    "; ringside user ABI for NASM programs. Generated from kernel/abi/syscall-table.ts, kernel/abi/errno.ts",
    "; and kernel/protocol.ts",
    "; by `npm run gen`; do not edit.",
    ";",
    "; System calls: int 0x80, EAX = number, arguments in EBX, ECX, EDX, ESI, EDI,",
    "; result in EAX (negative = -errno). Numbers are Linux i386's where Linux has the call.",
    "",
    "%ifndef RINGSIDE_INC",
    "%define RINGSIDE_INC",
    "",
    "; implemented system calls",
  ];
  for (const s of IMPLEMENTED_SYSCALLS) out.push(`SYS_${s.name.padEnd(16)} equ ${s.nr}`);
  out.push("", "; errno values (system calls return their negation)");
  for (const v of Object.values(E)) out.push(`${(errnoName(v) ?? `E${v}`).padEnd(16)} equ ${v}`);
  out.push("", "STDIN  equ 0", "STDOUT equ 1", "STDERR equ 2", "");
  out.push("; waitpid options and status", "WNOHANG equ 1", "; exit code = (status >> 8) & 0xff; killed by signal = status & 0x7f", "");
  out.push("; signals (Linux i386 numbers; signal/rt_sigaction take SIG_DFL or SIG_IGN)");
  for (const [k, v] of Object.entries(SIG)) out.push(`SIG${k.padEnd(7)} equ ${v}`);
  out.push(`SIG_DFL    equ ${SIG_DFL}`, `SIG_IGN    equ ${SIG_IGN}`, "");
  out.push("; ioctl on the console: TIOCGPGRP/TIOCSPGRP (pid_t *: the foreground group), TCGETS/TCSETS* (struct termios *)");
  for (const [k, v] of Object.entries({ TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGPGRP, TIOCSPGRP })) out.push(`${k.padEnd(10)} equ 0x${v.toString(16)}`);
  out.push(`TERMIOS_SIZE  equ ${TERMIOS_SIZE}`, `TERMIOS_LFLAG equ ${TERMIOS_LFLAG} ; c_lflag's offset: ISIG, ICANON, ECHO`);
  out.push(`ISIG   equ 0x${ISIG.toString(16)}`, `ICANON equ 0x${ICANON.toString(16)}`, `ECHO   equ 0x${ECHO.toString(16)}`, "");
  out.push("; setpriority(PRIO_PROCESS, pid or 0, nice -20..19)", "PRIO_PROCESS equ 0", "");
  out.push("; struct timespec for nanosleep", "struc timespec", "    .tv_sec:  resd 1", "    .tv_nsec: resd 1", "endstruc", "");
  out.push("; IPC (docs/microkernel.md): endpoints are pids; notifications come from HARDWARE (0)");
  out.push(`IPC_MAX equ ${IPC_MAX}`, `ANY equ ${ENDPOINT.ANY}`, `HARDWARE equ ${ENDPOINT.HARDWARE}`);
  out.push(`NOTIFY_TIMER equ 0x${NOTIFY.TIMER.toString(16)}`, `NOTIFY_SERVER equ 0x${NOTIFY.SERVER.toString(16)}`, `NOTIFY_USER_MASK equ 0x${NOTIFY.USER_MASK.toString(16)}`, "");
  out.push("; message types (w0 of a request)");
  for (const [k, v] of Object.entries(MSG)) out.push(`MSG_${k.padEnd(12)} equ ${v}`);
  out.push("", "; FS_OPEN/FS_UNLINK/FS_MKDIR w2 flags; FS_WRITE's w2 = FS_APPEND: at the current size");
  for (const [k, v] of Object.entries(FS_FLAG)) out.push(`FS_${k.padEnd(11)} equ ${v}`);
  out.push(`FS_APPEND      equ 0x${FS_APPEND.toString(16)}`);
  out.push("", "; open flags");
  for (const [k, v] of Object.entries(O)) out.push(`O_${k.padEnd(10)} equ 0x${v.toString(16)}`);
  out.push(`O_CLOEXEC    equ 0x${O_CLOEXEC.toString(16)}`);
  out.push("", "; FS_OPEN reply types, dirent types, lseek whence");
  for (const [k, v] of Object.entries(FTYPE)) out.push(`FTYPE_${k} equ ${v}`);
  for (const [k, v] of Object.entries(DT)) out.push(`DT_${k} equ ${v}`);
  for (const [k, v] of Object.entries(SEEK)) out.push(`SEEK_${k} equ ${v}`);
  out.push("", "; struct procinfo (procinfo call) and its states");
  out.push("struc procinfo", "    .pid:   resd 1", "    .ppid:  resd 1", "    .state: resd 1", "    .nice:  resd 1", `    .name:  resb ${PROCINFO.nameLen}`, "    .restarts: resd 1", "endstruc");
  for (const [k, v] of Object.entries(PSTATE)) out.push(`PSTATE_${k.toUpperCase()} equ ${v}`);
  out.push("", "; struct serverinfo (server_info call: one manifest server, its pid or 0, restarts, policy)");
  out.push("struc serverinfo", `    .name:        resb ${SERVERINFO.nameLen}`, "    .pid:         resd 1", "    .restarts:    resd 1", "    .restart_max: resd 1", "    .window_ms:   resd 1", "    .backoff_ms:  resd 1", "    .heartbeat_ms: resd 1", "    .flags:       resd 1", "    .reserved:    resd 1", "endstruc");
  for (const [k, v] of Object.entries(SERVERINFO_FLAGS)) out.push(`SRV_${k} equ ${v}`);
  out.push("", "; struct linux_dirent (getdents)", "struc linux_dirent", "    .d_ino:    resd 1", "    .d_off:    resd 1", "    .d_reclen: resw 1", "    .d_name:   resb 1", "endstruc");
  out.push("", `SECTOR_SIZE equ ${SECTOR}`, "");
  out.push("; known Linux i386 numbers not implemented yet (they return -ENOSYS)");
  for (const s of UNIMPLEMENTED_SYSCALLS) out.push(`; SYS_${s.name} would be ${s.nr}`);
  out.push("", "%endif", "");
  return out.join("\n");
}
