// Moved: the RSFS library lives in kernel/fs/rsfs.ts (the kernel uses it too). This re-export keeps old importers working.
export * from "../../kernel/fs/rsfs.ts";
