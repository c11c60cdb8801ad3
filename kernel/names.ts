// Names the kernel and its trace use for vectors, IRQ lines and errno values.

/** Mnemonics of CPU exception vectors 0–31. */
export const VECTOR_NAMES: readonly string[] = [
  "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
];

/** Device names of the 16 legacy IRQ lines. */
export const IRQ_NAMES: readonly string[] = [
  "timer", "keyboard", "cascade", "com2", "com1", "lpt2", "floppy", "lpt1",
  "rtc", "irq9", "irq10", "irq11", "mouse", "fpu", "ata", "ata2",
];

/** Linux errno values returned (negated) by system calls. */
export const E = {
  PERM: 1, NOENT: 2, SRCH: 3, INTR: 4, IO: 5, NXIO: 6, E2BIG: 7, NOEXEC: 8, BADF: 9, CHILD: 10, AGAIN: 11, NOMEM: 12, FAULT: 14,
  BUSY: 16, EXIST: 17, NOTDIR: 20, ISDIR: 21, INVAL: 22, MFILE: 24, NOSPC: 28, SPIPE: 29, PIPE: 32, RANGE: 34,
  DEADLK: 35, NAMETOOLONG: 36, NOSYS: 38, NOTEMPTY: 39, CONNREFUSED: 111,
} as const;

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
