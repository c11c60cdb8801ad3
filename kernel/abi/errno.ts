// Linux errno values: what system calls return, negated. A leaf (imports nothing): the kernel returns
// them, the include generator writes them for NASM programs, the trace tools name them.

/** Linux errno values returned (negated) by system calls; `E.NOENT` is ENOENT. */
export const E = {
  PERM: 1, NOENT: 2, SRCH: 3, INTR: 4, IO: 5, NXIO: 6, E2BIG: 7, NOEXEC: 8, BADF: 9, CHILD: 10, AGAIN: 11, NOMEM: 12, ACCES: 13, FAULT: 14,
  BUSY: 16, EXIST: 17, NOTDIR: 20, ISDIR: 21, INVAL: 22, NFILE: 23, MFILE: 24, NOTTY: 25, FBIG: 27, NOSPC: 28, SPIPE: 29, PIPE: 32, RANGE: 34,
  DEADLK: 35, NAMETOOLONG: 36, NOSYS: 38, NOTEMPTY: 39, CONNREFUSED: 111,
} as const;

/** Linux errno names (asm-generic/errno-base.h, errno.h): every value in E, plus ones a program may meet. */
export const ERRNO_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [1, "EPERM"], [2, "ENOENT"], [3, "ESRCH"], [4, "EINTR"], [5, "EIO"], [6, "ENXIO"], [7, "E2BIG"],
  [8, "ENOEXEC"], [9, "EBADF"], [10, "ECHILD"], [11, "EAGAIN"], [12, "ENOMEM"], [13, "EACCES"],
  [14, "EFAULT"], [16, "EBUSY"], [17, "EEXIST"], [18, "EXDEV"], [19, "ENODEV"], [20, "ENOTDIR"],
  [21, "EISDIR"], [22, "EINVAL"], [23, "ENFILE"], [24, "EMFILE"], [25, "ENOTTY"], [26, "ETXTBSY"],
  [27, "EFBIG"], [28, "ENOSPC"], [29, "ESPIPE"], [30, "EROFS"], [31, "EMLINK"], [32, "EPIPE"],
  [33, "EDOM"], [34, "ERANGE"], [35, "EDEADLK"], [36, "ENAMETOOLONG"], [37, "ENOLCK"], [38, "ENOSYS"],
  [39, "ENOTEMPTY"], [40, "ELOOP"], [110, "ETIMEDOUT"], [111, "ECONNREFUSED"],
]);

/** "ENOENT" for 2 (or -2); undefined for a value with no name here. */
export function errnoName(errno: number): string | undefined {
  return ERRNO_NAMES.get(Math.abs(errno));
}
