// Names the kernel, its trace and the trace tools use for vectors and IRQ lines; errno values live in
// abi/errno.ts (re-exported here).

/** Mnemonics of CPU exception vectors 0–31. */
export const VECTOR_NAMES: readonly string[] = [
  "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
];

/** Device names of the 16 legacy IRQ lines (the `name` of a trace's irq events). */
export const IRQ_NAMES: readonly string[] = [
  "timer", "keyboard", "cascade", "com2", "com1", "lpt2", "floppy", "lpt1",
  "rtc", "irq9", "irq10", "irq11", "mouse", "fpu", "ata", "ata2",
];

/** Linux errno values returned (negated) by system calls (their home and names: abi/errno.ts). */
export { E } from "./abi/errno.ts";

/** The Linux signal a CPU exception turns into (what a parent sees in waitpid's status). */
export const SIGNAL_FOR_VECTOR: Readonly<Record<number, number>> = {
  0: 8, // #DE → SIGFPE
  1: 5, // #DB → SIGTRAP
  3: 5, // #BP → SIGTRAP
  4: 11, // #OF → SIGSEGV
  5: 11, // #BR → SIGSEGV
  6: 4, // #UD → SIGILL
  7: 8, // #NM → SIGFPE
  11: 7, // #NP → SIGBUS
  12: 7, // #SS → SIGBUS
  13: 11, // #GP → SIGSEGV
  14: 11, // #PF → SIGSEGV
  16: 8, // #MF → SIGFPE
  17: 7, // #AC → SIGBUS
};
