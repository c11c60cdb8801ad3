// The message protocols shared by the kernel and the ring-3 servers: IPC constants, the message
// types of the console, file and disk servers, open flags and record layouts. One source of truth:
// servers/lib/ringside.inc gets these as `equ`s (see abi-include.ts), docs/microkernel.md explains them.

/** Largest IPC payload, in bytes. */
export const IPC_MAX = 4096;

/** Endpoints with a fixed meaning in `ipc_receive`'s "from" and the returned source. */
export const ENDPOINT = { ANY: -1, HARDWARE: 0 } as const;

/**
 * Notification bits: 0–15 are IRQ lines; 16 the caller's alarm; 17 "a server ended" (sent to the
 * supervisor); 18–31 are free for programs (`ipc_notify`).
 */
export const NOTIFY = { TIMER: 1 << 16, SERVER: 1 << 17, USER_MASK: 0xfffc0000 } as const;

/** Message types (w0 of a request). */
export const MSG = {
  NOTIFY: 0xffff, // a notification (source HARDWARE); w1 = the pending bits
  CON_WRITE: 1, // = DEV_WRITE: the console is a device
  CON_READ: 2, // = DEV_READ
  DEV_WRITE: 1, // a device's write: payload = the bytes; reply w0 = bytes taken or -errno
  DEV_READ: 2, // a device's read: w1 = the most bytes wanted; reply payload = the bytes, w0 = their count or -errno
  CON_INPUT: 3,
  CON_TCGETS: 4, // reply w0 = the line discipline's mode (c_lflag: ISIG 0x1, ICANON 0x2, ECHO 0x8)
  CON_TCSETS: 5, // w1 = the new mode, w2 = 1: discard typed input not yet read (TCSETSF); reply w0 = 0
  FS_OPEN: 16,
  FS_READ: 17,
  FS_WRITE: 18,
  FS_CLOSE: 19,
  FS_UNLINK: 20,
  FS_MKDIR: 21,
  FS_READDIR: 22,
  DISK_READ: 32,
  DISK_WRITE: 33,
  DISK_SIZE: 34,
  PIPE_CREATE: 48, // the pipe service (kernel/pipe.ts): reply w0 = pipe id
  PIPE_READ: 49, // w1 = id; reply capacity = count; reply w0 = bytes (0 = EOF), payload = them
  PIPE_WRITE: 50, // w1 = id, payload = bytes; reply w0 = bytes taken, 0 = "room now: write again", -EPIPE
  PIPE_CLOSE: 51, // w1 = id, w2 = 0 read end / 1 write end; reply w0 = 0
} as const;

/**
 * FS_OPEN, FS_UNLINK and FS_MKDIR: w2 carries FS_FLAG bits, set by the kernel (never by a program:
 * programs cannot send to the file service). PRIVILEGED: the caller is a server — only then may it
 * create, open for writing, truncate, unlink or make anything under /boot (else -EACCES).
 */
export const FS_FLAG = { PRIVILEGED: 1 } as const;

/** FS_WRITE's w2 (the offset) FS_APPEND: write at the file's current size; the reply's w2 is the offset used. */
export const FS_APPEND = 0xffffffff;

/** open(2) flags (Linux i386 values). */
export const O = {
  RDONLY: 0, WRONLY: 1, RDWR: 2, ACCMODE: 3, CREAT: 0x40, EXCL: 0x80, TRUNC: 0x200, APPEND: 0x400, DIRECTORY: 0x10000,
} as const;

/** File types in FS_OPEN replies. */
export const FTYPE = { FILE: 1, DIR: 2 } as const;

/** linux_dirent d_type values. */
export const DT = { DIR: 4, REG: 8 } as const;

/** lseek whence. */
export const SEEK = { SET: 0, CUR: 1, END: 2 } as const;

/** struct procinfo (36 bytes), filled by the procinfo call; `restarts`: how often a server of that name was started again. */
export const PROCINFO = { pid: 0, ppid: 4, state: 8, nice: 12, name: 16, nameLen: 16, restarts: 32, size: 36 } as const;

/**
 * struct serverinfo (48 bytes), filled by the server_info call: one manifest server, its pid (0 when not
 * running), how often it was restarted, and its policy (restart_max 0: never restarted).
 */
export const SERVERINFO = {
  name: 0, nameLen: 16, pid: 16, restarts: 20, restartMax: 24, windowMs: 28, backoffMs: 32, heartbeatMs: 36, flags: 40, size: 48,
} as const;
/** serverinfo flags. */
export const SERVERINFO_FLAGS = { SUPERVISOR: 1, DEVICE: 2, IN_KERNEL: 4 } as const;

/** procinfo states. */
export const PSTATE = { ready: 0, running: 1, blocked: 2, zombie: 3 } as const;

/** Sector size of the disk server. */
export const SECTOR = 512;
