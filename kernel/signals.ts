// Signals, minimal and real: Linux numbers, a disposition per signal (default or ignored — no user
// handlers yet), and the default actions: terminate (SIGINT, SIGTERM, SIGKILL, SIGPIPE and every
// other signal whose Linux default is to terminate or dump core) or ignore (SIGCHLD, SIGURG,
// SIGWINCH, SIGCONT; the stop signals are treated as ignored: there is no job control yet).
// A signal is acted on when it is sent — the target is terminated at once, wherever it was (blocked
// in a read, waiting for a child, running). Delivery to a process group goes to every member.
import type { KernelApi } from "./kernel-api.ts";
import type { Process } from "./process.ts";

/** Linux i386 signal numbers. */
export const SIG = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22,
  URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
} as const;

/** Highest signal number accepted (the classic signals; no real-time signals). */
export const MAX_SIGNAL = 31;

/** Signals whose default action is to ignore them (the stop signals included: no job control). */
const DEFAULT_IGNORE = (1 << SIG.CHLD) | (1 << SIG.URG) | (1 << SIG.WINCH) | (1 << SIG.CONT) | (1 << SIG.STOP) | (1 << SIG.TSTP) | (1 << SIG.TTIN) | (1 << SIG.TTOU);
/** Signals that can be neither ignored nor caught. */
const UNBLOCKABLE = (1 << SIG.KILL) | (1 << SIG.STOP);

/** signal(2)'s SIG_DFL and SIG_IGN. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** True if `sig` (1–31) would terminate `p` now: not ignored by `p`, not ignored by default. */
export function terminates(p: Process, sig: number): boolean {
  const bit = 1 << sig;
  if (bit & UNBLOCKABLE) return sig === SIG.KILL;
  return (p.sigIgnored & bit) === 0 && (DEFAULT_IGNORE & bit) === 0;
}

/** True if `sig` may be set to SIG_IGN (not SIGKILL or SIGSTOP). */
export function ignorable(sig: number): boolean {
  return sig >= 1 && sig <= MAX_SIGNAL && ((1 << sig) & UNBLOCKABLE) === 0;
}

/** Sends `sig` (1–31) to live process `p`: its default action, unless `p` ignores it. True if `p` ended. */
export function sendSignal(k: KernelApi, p: Process, sig: number): boolean {
  if (p.state === "zombie" || !terminates(p, sig)) return false;
  k.exitProcess(p, null, null, sig, null);
  return true;
}

/**
 * Sends `sig` to every live member of process group `pgid` (sig 0: only checks that one exists).
 * Returns how many processes the group had, 0 if none. The sender, if a member, is signalled last.
 */
export function signalGroup(k: KernelApi, pgid: number, sig: number, sender: Process | null): number {
  const members: Process[] = [];
  for (const p of k.liveProcesses()) if (p.pgid === pgid && !p.priv) members.push(p);
  if (sig !== 0) {
    for (const p of members) if (p !== sender) sendSignal(k, p, sig);
    if (sender && members.includes(sender)) sendSignal(k, sender, sig);
  }
  return members.length;
}
