// The Unix calls a tutorial program and a shell need, with Linux i386 numbers and semantics: fork,
// execve, pipe/pipe2, dup/dup2, chdir/getcwd, process groups (getpgid, setpgid, getpgrp), the
// terminal (ioctl TIOCGPGRP/TIOCSPGRP: the foreground group; TCGETS/TCSETS: the console's mode,
// raw or canonical), signal dispositions (signal, rt_sigaction: SIG_DFL and SIG_IGN), and
// signal_fg, the console server's "Ctrl-C was typed".
// Semantics and errors: docs/abi.md.
import { encodeBytes } from "../bytes-text.ts";
import { isElf } from "../elf.ts";
import { ARG_BYTES_MAX } from "../exec.ts";
import { MAX_FDS, retain, type OpenFile } from "../files.ts";
import type { KernelApi } from "../kernel-api.ts";
import { E } from "../names.ts";
import type { Process } from "../process.ts";
import { FTYPE, IPC_MAX, MSG, O } from "../protocol.ts";
import { MAX_SIGNAL, SIG_DFL, SIG_IGN, ignorable, signalGroup } from "../signals.ts";
import type { SyscallHandler } from "../syscall-contract.ts";
import { pathArg } from "./files.ts";
import { readArgv } from "./proc.ts";

/** Largest executable execve reads (as spawn_image). */
const MAX_IMAGE = 4 * 1024 * 1024;
/** Linux's O_CLOEXEC (pipe2, open). */
export const O_CLOEXEC = 0x80000;
/** ioctl requests on a terminal (Linux asm-generic/ioctls.h). */
export const TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410;
/** struct termios as the i386 kernel has it: c_iflag, c_oflag, c_cflag, c_lflag (u32 each), c_line, c_cc[19]. */
export const TERMIOS_SIZE = 36;
/** c_lflag's offset in struct termios. */
export const TERMIOS_LFLAG = 12;
const TERMIOS_CC = 17;
/**
 * c_cc as the console's line discipline uses it (Linux's indices): VINTR Ctrl-C, VERASE DEL, VKILL
 * Ctrl-U, VEOF Ctrl-D, VTIME 0 and VMIN 1 (a raw read returns once one byte is there), VWERASE Ctrl-W.
 */
const TERMIOS_CC_VALUES: readonly (readonly [number, number])[] = [[0, 0x03], [2, 0x7f], [3, 0x15], [4, 0x04], [5, 0], [6, 1], [14, 0x17]];

function ioError(err: number): number {
  return err === -E.SRCH ? -E.IO : err;
}

/** fork(): the child's pid to the parent, 0 to the child. */
export const sysFork: SyscallHandler = (k, p) => k.fork(p);

/**
 * execve(path, argv, envp): reads the executable through the file service (open, then reads of
 * IPC_MAX bytes into a kernel buffer — the same requests, ring-3 server or in-kernel service) and
 * replaces the caller's image. Errors leave the caller as it was.
 */
export const sysExecve: SyscallHandler = (k, p, pathPtr, argvPtr, envpPtr) => {
  const path = pathArg(p, pathPtr);
  if (typeof path === "number") return path;
  const argv = readArgv(p, argvPtr, ARG_BYTES_MAX);
  if (typeof argv === "number") return argv === -E.INVAL ? -E.E2BIG : argv;
  const envp = readArgv(p, envpPtr, ARG_BYTES_MAX);
  if (typeof envp === "number") return envp === -E.INVAL ? -E.E2BIG : envp;
  let text = 0;
  for (const s of argv) text += encodeBytes(s).length + 1;
  for (const s of envp) text += encodeBytes(s).length + 1;
  if (text > ARG_BYTES_MAX) return -E.E2BIG;
  const full = new TextDecoder().decode(path.subarray(0, path.length - 1));
  const name = full.slice(full.lastIndexOf("/") + 1) || full;
  return k.serviceRequest(p, "fs", MSG.FS_OPEN, O.RDONLY, 0, path, 0, 0, {
    done: (ino, size, type) => {
      if ((ino | 0) < 0) return ino | 0;
      size >>>= 0; // a reply word, whatever the server put there
      if (type === FTYPE.DIR) return -E.ACCES;
      if (size === 0) return -E.NOEXEC;
      if (size > MAX_IMAGE) return -E.NOMEM;
      return readImage(k, p, ino, new Uint8Array(size), 0, (bytes) => k.exec(p, name, bytes, argv, envp));
    },
    failed: ioError,
  });
};

/** Reads `into` from inode `ino` from offset `at` on, chunk by chunk (each a request); then `then`. */
function readImage(k: KernelApi, p: Process, ino: number, into: Uint8Array, at: number, then: (bytes: Uint8Array) => number): number {
  const cap = Math.min(IPC_MAX, into.length - at);
  return k.serviceRequest(p, "fs", MSG.FS_READ, ino, at, null, 0, cap, {
    into: into.subarray(at, at + cap),
    done: (w0, _w1, _w2, bytes) => {
      if ((w0 | 0) < 0) return w0 | 0;
      const got = Math.min(w0, bytes);
      const end = at + got;
      if (at === 0 && !isElf(into.subarray(0, end))) return -E.NOEXEC; // a text file: no need to read on
      if (got === 0 || end >= into.length) return then(into.subarray(0, end));
      return readImage(k, p, ino, into, end, then);
    },
    failed: ioError,
  });
}

/** pipe(fds) and pipe2(fds, flags): fds[0] the read end, fds[1] the write end. */
function pipeCall(k: KernelApi, p: Process, fdsPtr: number, flags: number): number {
  const t = p.files;
  if (!t) return -E.NOSYS;
  if (flags & ~O_CLOEXEC) return -E.INVAL;
  if (!k.touchUser(p, fdsPtr >>> 0, 8, true)) return -E.FAULT;
  if (t.fds.filter((f) => f === null).length < 2) return -E.MFILE;
  return k.serviceRequest(p, "pipe", MSG.PIPE_CREATE, 0, 0, null, 0, 0, {
    done: (id) => {
      if ((id | 0) < 0) return id | 0;
      const end = (mode: number): OpenFile => ({ server: "pipe", ino: id, offset: 0, flags: mode, type: 0, size: 0 });
      const r = t.add(end(O.RDONLY));
      const w = t.add(end(O.WRONLY));
      if (flags & O_CLOEXEC) t.cloexec |= (1 << r) | (1 << w);
      if (!p.as.writeWord(fdsPtr >>> 0, r) || !p.as.writeWord((fdsPtr >>> 0) + 4, w)) {
        for (const fd of [r, w]) k.closeFile(p, t.remove(fd)!);
        return -E.FAULT;
      }
      return 0;
    },
    failed: ioError,
  });
}
export const sysPipe: SyscallHandler = (k, p, fdsPtr) => pipeCall(k, p, fdsPtr, 0);
export const sysPipe2: SyscallHandler = (k, p, fdsPtr, flags) => pipeCall(k, p, fdsPtr, flags);

/** dup(fd): the lowest free descriptor, sharing fd's open file description (and its offset). */
export const sysDup: SyscallHandler = (_k, p, fd) => {
  const t = p.files;
  const f = t?.get(fd);
  if (!t || !f) return -E.BADF;
  if (!t.hasFree()) return -E.MFILE;
  return t.add(retain(f));
};

/** dup2(oldfd, newfd): newfd (closed first if open) shares oldfd's description; newfd == oldfd: a check. */
export const sysDup2: SyscallHandler = (k, p, oldfd, newfd) => {
  const t = p.files;
  const f = t?.get(oldfd);
  if (!t || !f) return -E.BADF;
  if (newfd < 0 || newfd >= MAX_FDS) return -E.BADF;
  if (newfd === oldfd) return newfd;
  const old = t.remove(newfd);
  if (old) k.closeFile(p, old);
  t.put(newfd, retain(f));
  return newfd;
};

/** chdir(path): the directory must exist (the file service opens it); relative paths resolve from the old cwd. */
export const sysChdir: SyscallHandler = (k, p, pathPtr) => {
  const path = pathArg(p, pathPtr);
  if (typeof path === "number") return path;
  let dir = new TextDecoder().decode(path.subarray(0, path.length - 1));
  if (dir.length > 1 && dir.endsWith("/")) dir = dir.slice(0, -1);
  return k.serviceRequest(p, "fs", MSG.FS_OPEN, O.RDONLY | O.DIRECTORY, 0, path, 0, 0, {
    done: (ino, _size, type) => {
      if ((ino | 0) < 0) return ino | 0;
      if (type !== FTYPE.DIR) return -E.NOTDIR;
      p.cwd = dir;
      return 0;
    },
    failed: ioError,
  });
};

/** getcwd(buf, size): the working directory, NUL-terminated; returns its length with the NUL (as the Linux call). */
export const sysGetcwd: SyscallHandler = (k, p, buf, size) => {
  const bytes = new TextEncoder().encode(p.cwd + "\0");
  if (size >>> 0 < bytes.length) return -E.RANGE; // a size of 2^31 or more is large, not negative
  if (!k.touchUser(p, buf >>> 0, bytes.length, true) || !p.as.copyOut(buf >>> 0, bytes)) return -E.FAULT;
  return bytes.length;
};

/** getpgid(pid): the process group of pid (0 = the caller). */
export const sysGetpgid: SyscallHandler = (k, p, pid) => {
  if ((pid | 0) < 0) return -E.SRCH;
  const q = pid === 0 ? p : k.process(pid);
  if (!q) return -E.SRCH;
  return q.pgid;
};

/** getpgrp(): the caller's process group. */
export const sysGetpgrp: SyscallHandler = (_k, p) => p.pgid;

/** True if some live process is in group `pgid`. */
function groupExists(k: KernelApi, pgid: number): boolean {
  for (const q of k.liveProcesses()) if (q.pgid === pgid) return true;
  return false;
}

/**
 * setpgid(pid, pgid): moves pid (0 = the caller; else the caller or one of its children) into group
 * pgid (0 = pid's own pid: a new group); joining another group needs that group to exist.
 */
export const sysSetpgid: SyscallHandler = (k, p, pid, pgid) => {
  if ((pid | 0) < 0 || (pgid | 0) < 0) return -E.INVAL;
  const q = pid === 0 ? p : k.process(pid);
  if (!q || q.state === "zombie" || (q !== p && q.parent !== p.pid)) return -E.SRCH;
  const g = pgid === 0 ? q.pid : pgid;
  if (g !== q.pid && !groupExists(k, g)) return -E.PERM;
  q.pgid = g;
  return 0;
};

/**
 * ioctl(fd, request, arg) on the console: TIOCGPGRP / TIOCSPGRP (tcgetpgrp / tcsetpgrp: the
 * foreground process group, which gets the SIGINT of a Ctrl-C), TCGETS (tcgetattr: a struct termios
 * whose c_lflag is the console's mode, asked with CON_TCGETS) and TCSETS / TCSETSW / TCSETSF
 * (tcsetattr: c_lflag goes to the console with CON_TCSETS). The console is a service like the file
 * system: a ring-3 server or the in-kernel console, the same request either way. Any other
 * descriptor: -ENOTTY; any other request: -ENOTTY, as Linux answers an unknown terminal ioctl.
 */
export const sysIoctl: SyscallHandler = (k, p, fd, request, arg) => {
  const f = p.files?.get(fd);
  if (!f) return -E.BADF;
  if (f.server !== "console") return -E.NOTTY;
  switch (request >>> 0) {
    case TIOCGPGRP:
      return k.touchUser(p, arg >>> 0, 4, true) && p.as.writeWord(arg >>> 0, k.foregroundGroup) ? 0 : -E.FAULT;
    case TIOCSPGRP: {
      const g = k.touchUser(p, arg >>> 0, 4, false) ? p.as.readWord(arg >>> 0) : undefined;
      if (g === undefined) return -E.FAULT;
      if ((g | 0) < 0) return -E.INVAL;
      if (!groupExists(k, g)) return -E.SRCH;
      k.foregroundGroup = g;
      return 0;
    }
    case TCGETS:
      return termiosGet(k, p, arg >>> 0);
    case TCSETS:
    case TCSETSW:
      return termiosSet(k, p, arg >>> 0, false);
    case TCSETSF:
      return termiosSet(k, p, arg >>> 0, true);
    default:
      return -E.NOTTY;
  }
};

/** TCGETS: asks the console for its mode (CON_TCGETS) and writes the struct termios at `va`. */
function termiosGet(k: KernelApi, p: Process, va: number): number {
  if (!k.touchUser(p, va, TERMIOS_SIZE, true)) return -E.FAULT;
  return k.serviceRequest(p, "console", MSG.CON_TCGETS, 0, 0, null, 0, 0, {
    done: (lflag) => {
      if ((lflag | 0) < 0) return lflag | 0;
      const t = new Uint8Array(TERMIOS_SIZE);
      new DataView(t.buffer).setUint32(TERMIOS_LFLAG, lflag >>> 0, true);
      for (const [i, v] of TERMIOS_CC_VALUES) t[TERMIOS_CC + i] = v;
      // The buffer was checked before the request, but the process may have unmapped it (brk) since.
      return k.touchUser(p, va, TERMIOS_SIZE, true) && p.as.copyOut(va, t) ? 0 : -E.FAULT;
    },
    failed: ioError,
  });
}

/**
 * TCSETS, TCSETSW, TCSETSF: c_lflag of the struct termios at `va` becomes the console's mode
 * (CON_TCSETS; the console keeps ISIG, ICANON and ECHO and drops the other bits). Output is written
 * synchronously, so there is never output to wait for (TCSETSW); `flush` (TCSETSF) also discards the
 * input typed but not yet read (CON_TCSETS w2 = 1).
 */
function termiosSet(k: KernelApi, p: Process, va: number, flush: boolean): number {
  if (!k.touchUser(p, va, TERMIOS_SIZE, false)) return -E.FAULT;
  const lflag = p.as.readWord(va + TERMIOS_LFLAG);
  if (lflag === undefined) return -E.FAULT;
  return k.serviceRequest(p, "console", MSG.CON_TCSETS, lflag >>> 0, flush ? 1 : 0, null, 0, 0, {
    done: (w0) => ((w0 | 0) < 0 ? w0 | 0 : 0),
    failed: ioError,
  });
}

/** Sets `sig`'s disposition from a handler value: SIG_DFL or SIG_IGN (user handlers: -EINVAL). Returns the old one. */
function setDisposition(p: Process, sig: number, handler: number): number {
  const old = p.sigIgnored & (1 << sig) ? SIG_IGN : SIG_DFL;
  if (handler === SIG_IGN) p.sigIgnored |= 1 << sig;
  else if (handler === SIG_DFL) p.sigIgnored &= ~(1 << sig);
  else return -E.INVAL;
  return old;
}

/** signal(sig, handler): SIG_DFL (0) or SIG_IGN (1); returns the previous one. */
export const sysSignal: SyscallHandler = (_k, p, sig, handler) => {
  if (!ignorable(sig)) return -E.INVAL;
  return setDisposition(p, sig, handler >>> 0);
};

/** rt_sigaction(sig, act, oact, sigsetsize): as signal, with struct sigaction {handler, flags, restorer, mask[2]}. */
export const sysRtSigaction: SyscallHandler = (k, p, sig, act, oact, sigsetsize) => {
  if (sigsetsize !== 8 || sig < 1 || sig > MAX_SIGNAL) return -E.INVAL;
  const old = p.sigIgnored & (1 << sig) ? SIG_IGN : SIG_DFL;
  if (act !== 0) {
    const h = k.touchUser(p, act >>> 0, 4, false) ? p.as.readWord(act >>> 0) : undefined;
    if (h === undefined) return -E.FAULT;
    if (!ignorable(sig)) return -E.INVAL;
    if (h !== SIG_DFL && h !== SIG_IGN) return -E.INVAL; // no user handlers yet
  }
  if (oact !== 0) {
    const rec = new Uint8Array(20);
    rec[0] = old;
    if (!k.touchUser(p, oact >>> 0, 20, true) || !p.as.copyOut(oact >>> 0, rec)) return -E.FAULT;
  }
  if (act !== 0) setDisposition(p, sig, p.as.readWord(act >>> 0)!);
  return 0;
};

/**
 * signal_fg(sig): a server (the console) reports a terminal signal — Ctrl-C is SIGINT — and the
 * kernel sends it to the foreground process group. Returns how many processes the group had (0: no
 * foreground group). Only servers may call it (-EPERM).
 */
export const sysSignalFg: SyscallHandler = (k, p, sig) => {
  if (!p.priv) return -E.PERM;
  if (sig < 1 || sig > MAX_SIGNAL) return -E.INVAL;
  return signalForeground(k, sig);
};

/** Sends `sig` to the foreground process group, if there is one; how many processes it had. */
export function signalForeground(k: KernelApi, sig: number): number {
  const g = k.foregroundGroup;
  return g > 0 ? signalGroup(k, g, sig, null) : 0;
}
