// Which kernel entry a `return` event ends. A process's entry (a system call, an exception, an IRQ
// that interrupted it) stays open while the process is blocked — other processes run, enter and
// return meanwhile — and its return, with the call's result, comes when the process runs again: so a
// return of pid P ends P's own open entry. The idle loop (pid null) does not block: a return to it
// ends its own entry, or else the CPU's latest one. Every reader that pairs entries with returns
// (the text formatter's "return read = 3", the --syscall/--vector filters, the export's kernel
// slices) pairs them here, so they agree.

/** Open kernel entries, one per process (and one for the idle loop), each carrying a value of type T. */
export class EntryPairing<T> {
  private open = new Map<number, T>();
  private latest: T | undefined;

  /** Process `pid` (null: the idle loop) entered the kernel; `value` is what its return will find. */
  enter(pid: number | null, value: T): void {
    this.open.set(pid ?? -1, value);
    this.latest = value;
  }

  /** The entry a `return` of `pid` ends, without closing it (undefined: none known, e.g. before the trace's window). */
  peek(pid: number | null): T | undefined {
    return pid === null ? (this.open.get(-1) ?? this.latest) : this.open.get(pid);
  }

  /** The entry a `return` of `pid` ends, which is closed. */
  leave(pid: number | null): T | undefined {
    const v = this.peek(pid);
    this.drop(pid);
    return v;
  }

  /** The open entry of `pid` itself (null: the idle loop's), without the idle loop's fallback. */
  own(pid: number | null): T | undefined {
    return this.open.get(pid ?? -1);
  }

  /** Closes the open entry of `pid` itself (null: the idle loop's, which the CPU leaves whenever it returns anywhere). */
  drop(pid: number | null): void {
    this.open.delete(pid ?? -1);
  }

  /** Every open entry (to close what is left at the end). */
  values(): IterableIterator<T> {
    return this.open.values();
  }

  /** An independent copy. */
  clone(): EntryPairing<T> {
    const c = new EntryPairing<T>();
    c.open = new Map(this.open);
    c.latest = this.latest;
    return c;
  }
}
