// The ring-0 stub as the kernel receives it: the assembled multiboot image and its symbols. Built on
// the host by tools/build/stub.ts (the kernel itself imports no host tool).

/** The assembled stub (multiboot flat binary) and its symbols (e.g. `idle`, where the idle loop runs). */
export interface StubImage {
  bytes: Uint8Array;
  symbols: Map<string, number>;
}
