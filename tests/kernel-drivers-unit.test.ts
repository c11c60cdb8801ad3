// The in-kernel device services (kernel/drivers/console.ts, keyboard.ts, disk.ts) and their pure
// parts (the line discipline, the set-1 translation), without booting a kernel: fake devices behind
// a PortBus, a fake ServiceEnv. The last block drives the real v86 devices of a Machine that never
// runs (port I/O works without the CPU).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Machine } from "../emulator/machine.ts";
import { PortIo } from "../emulator/ports.ts";
import { ctrl, scancodes } from "../emulator/keyboard-layout.ts";
import { ConsoleService } from "../kernel/drivers/console.ts";
import { DISK_MAX_COUNT, DiskService } from "../kernel/drivers/disk.ts";
import { KEYMAP, KEYMAP_SHIFT, KeyboardService, Set1Translator, keySequence } from "../kernel/drivers/keyboard.ts";
import { LINE_MAX, LineDiscipline, NREADERS, READ_QUEUED, READY_MAX } from "../kernel/drivers/line-discipline.ts";
import { E } from "../kernel/names.ts";
import { MSG } from "../kernel/protocol.ts";
import type { KernelService, PortBus, ServiceEnv, ServiceReply, ServiceRequest } from "../kernel/service.ts";
import { assemble } from "../tools/asm/index.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number[]) => String.fromCharCode(...b);

// ---- the line discipline ----------------------------------------------------------------------

/** A discipline with its echo and deliveries recorded; readers in `gone` have ended. */
function discipline() {
  const echo: number[] = [];
  const got: { reader: number; data: string }[] = [];
  const gone = new Set<number>();
  const ld = new LineDiscipline(
    (b) => echo.push(b),
    (reader, data) => {
      if (gone.has(reader)) return false;
      got.push({ reader, data: dec(data) });
      return true;
    },
  );
  const type = (s: string) => {
    for (const c of s) ld.input(c.charCodeAt(0));
  };
  return { ld, echo, got, gone, type, echoed: () => dec(echo) };
}

describe("line discipline (console.asm's rules)", () => {
  it("echoes printable bytes and Tab, turns '\\r' into '\\n' and completes the line", () => {
    const t = discipline();
    t.type("ls\t-l\r");
    expect(t.echoed()).toBe("ls\t-l\n");
    expect(t.ld.queued).toBe(6);
    expect(t.ld.read(7, 100)).toBe(READ_QUEUED);
    expect(t.got).toEqual([{ reader: 7, data: "ls\t-l\n" }]);
    expect(t.ld.queued).toBe(0);
  });

  it("erases with \"\\b \\b\" (0x08 and 0x7f), and does nothing on an empty line", () => {
    const t = discipline();
    t.type("\b\x7fab\x7fc\bd\n");
    expect(t.echoed()).toBe("ab\b \bc\b \bd\n");
    t.ld.read(1, 10);
    expect(t.got[0]!.data).toBe("ad\n");
  });

  it("Ctrl-C discards the line with \"^C\\n\"", () => {
    const t = discipline();
    t.type("rm -rf\x03ok\n");
    expect(t.echoed()).toBe("rm -rf^C\nok\n");
    t.ld.read(1, 10);
    expect(t.got).toEqual([{ reader: 1, data: "ok\n" }]);
  });

  it("Ctrl-D on an empty line is an end-of-input mark (a read of 0, consumed); on a non-empty line it is ignored", () => {
    const t = discipline();
    t.type("ab\x04\n\x04");
    expect(t.echoed()).toBe("ab\n");
    t.ld.read(1, 10);
    t.ld.read(2, 10);
    t.ld.read(3, 10);
    expect(t.got).toEqual([{ reader: 1, data: "ab\n" }, { reader: 2, data: "" }]);
    expect(t.ld.readers()).toEqual([3]);
    expect(t.ld.queued).toBe(0);
  });

  it("ignores other control bytes (no echo, not stored); bytes >= 0x80 (UTF-8) are stored and echoed", () => {
    const t = discipline();
    for (const b of [0x00, 0x02, 0x07, 0x0b, 0x0c, 0x1f, 0x80, 0xc3, 0xff]) t.ld.input(b);
    t.type("x\n");
    expect(t.echoed()).toBe("\x80\xc3\xffx\n");
    t.ld.read(1, 10);
    expect(t.got[0]!.data).toBe("\x80\xc3\xffx\n");
  });

  it("holds at most LINE_MAX-1 characters plus '\\n' (each byte more is refused with a bell)", () => {
    const t = discipline();
    t.type("a".repeat(LINE_MAX + 1) + "\n");
    expect(t.echoed()).toBe("a".repeat(LINE_MAX - 1) + "\x07\x07\n");
    t.ld.read(1, 4096);
    expect(t.got[0]!.data.length).toBe(LINE_MAX);
  });

  it("drops a completed line that does not fit in READY_MAX bytes of queued input", () => {
    const t = discipline();
    const line = "b".repeat(LINE_MAX - 1) + "\n";
    for (let i = 0; i < READY_MAX / LINE_MAX; i++) t.type(line);
    expect(t.ld.queued).toBe(READY_MAX);
    t.type("lost\n\x04");
    expect(t.ld.queued).toBe(READY_MAX); // neither the line nor the end mark fits
    expect(t.echoed().endsWith("lost\n")).toBe(true); // but it was echoed
    t.ld.read(1, 3);
    expect(t.got[0]!.data).toBe("bbb");
    expect(t.ld.queued).toBe(READY_MAX - 3);
  });

  it("gives a read at most its count; the rest of the line stays for the next read; one line per read", () => {
    const t = discipline();
    t.type("hello\nworld\n");
    t.ld.read(1, 3);
    t.ld.read(2, 100);
    t.ld.read(3, 100);
    t.ld.read(4, 100);
    expect(t.got).toEqual([
      { reader: 1, data: "hel" },
      { reader: 2, data: "lo\n" },
      { reader: 3, data: "world\n" },
    ]);
    expect(t.ld.readers()).toEqual([4]);
  });

  it("answers a zero count with 0 at once and treats counts as unsigned", () => {
    const t = discipline();
    t.type("x\n");
    expect(t.ld.read(1, 0)).toBe(0);
    expect(t.ld.queued).toBe(2);
    expect(t.ld.read(2, -1)).toBe(READ_QUEUED); // 0xffffffff bytes
    expect(t.got).toEqual([{ reader: 2, data: "x\n" }]);
  });

  it("queues at most NREADERS readers (-EAGAIN beyond) and serves them in arrival order", () => {
    const t = discipline();
    for (let r = 1; r <= NREADERS; r++) expect(t.ld.read(r, 10)).toBe(READ_QUEUED);
    expect(t.ld.read(99, 10)).toBe(-E.AGAIN);
    t.type("one\ntwo\n");
    expect(t.got).toEqual([{ reader: 1, data: "one\n" }, { reader: 2, data: "two\n" }]);
    expect(t.ld.readers()).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it("drops a reader that has gone away and keeps the input for the next one", () => {
    const t = discipline();
    t.ld.read(1, 10);
    t.ld.read(2, 10);
    t.gone.add(1);
    t.type("kept\n");
    expect(t.got).toEqual([{ reader: 2, data: "kept\n" }]);
    expect(t.ld.readers()).toEqual([]);
    expect(t.ld.queued).toBe(0);
  });

  it("cancel forgets a waiting reader", () => {
    const t = discipline();
    t.ld.read(1, 10);
    t.ld.read(2, 10);
    t.ld.cancel(1);
    t.type("x\n");
    expect(t.got).toEqual([{ reader: 2, data: "x\n" }]);
  });
});

// ---- the keyboard translation -------------------------------------------------------------------

/** keyboard.asm's two tables, assembled from its source by ringside's assembler. */
function asmKeymaps(): Uint8Array {
  const src = readFileSync(path.join(ROOT, "servers/keyboard.asm"), "utf8");
  const from = src.indexOf("\nkeymap:");
  const to = src.indexOf("KEYMAP_LEN");
  expect(from).toBeGreaterThan(0);
  const r = assemble(src.slice(from, to));
  expect(r.diagnostics).toEqual([]);
  return r.bytes;
}

/** The characters a translator makes from `codes`. */
function translate(codes: Uint8Array | number[], t = new Set1Translator()): string {
  let out = "";
  for (const c of codes) {
    const ch = t.feed(c);
    if (ch >= 0) out += String.fromCharCode(ch);
  }
  return out;
}

describe("set-1 translation (keyboard.asm's tables and rules)", () => {
  it("uses exactly keyboard.asm's keymap and keymap_shift", () => {
    const both = new Uint8Array(KEYMAP.length + KEYMAP_SHIFT.length);
    both.set(KEYMAP);
    both.set(KEYMAP_SHIFT, KEYMAP.length);
    expect(KEYMAP.length).toBe(0x3a);
    expect([...both]).toEqual([...asmKeymaps()]);
  });

  it("turns what `boot --keys` types back into the text (every printable character, Shift, Enter, Tab, Backspace)", () => {
    let text = "";
    for (let c = 0x20; c < 0x7f; c++) text += String.fromCharCode(c);
    text += "\n\t\b";
    expect(translate(scancodes(text))).toBe(text);
  });

  it("Caps Lock flips letters only (also against Shift); Ctrl + letter gives its control code", () => {
    expect(translate([0x3a, 0xba, ...scancodes("aB1!"), 0x3a, 0xba, ...scancodes("a")])).toBe("Ab1!a");
    expect(translate([...ctrl("c"), ...ctrl("d")])).toBe("\x03\x04");
    expect(translate([0x1d, ...scancodes("1"), 0x9d])).toBe("1"); // Ctrl + a digit: the digit
    expect(translate([0x1d, 0x3a, 0xba, 0x2e, 0xae, 0x9d])).toBe("\x03"); // Ctrl + Caps + c
  });

  it("after 0xe0 counts only Right Ctrl, keypad Enter, keypad '/' and the cursor keys", () => {
    const t = new Set1Translator();
    expect(translate([0xe0, 0x1d, 0x2e, 0xe0, 0x9d, 0x2e], t)).toBe("\x03c"); // right Ctrl held, released
    expect(translate([0xe0, 0x1c, 0xe0, 0x9c, 0xe0, 0x35, 0xe0, 0xb5], t)).toBe("\n/");
    expect(translate([0xe0, 0x2a, 0x1e, 0xe0, 0xaa], t)).toBe("a"); // fake shift: ignored
    expect(translate([0xe0, 0x38, 0xe0, 0xc8], t)).toBe(""); // right Alt, an arrow's release
    const keys = [0x48, 0x50, 0x4d, 0x4b, 0x47, 0x4f, 0x53].map((k) => t.feed((t.feed(0xe0), k)));
    expect(keys.flatMap(keySequence).map((b) => String.fromCharCode(b)).join("")).toBe("\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F\x1b[3~");
  });

  it("ignores releases of ordinary keys, Escape makes 0x1b, codes past the table make nothing", () => {
    expect(translate([0x9e, 0x01, 0x81, 0x3b, 0x44, 0x57, 0x58, 0x47])).toBe("\x1b");
    expect(translate([0x2a, 0x36, 0xaa, 0x1e, 0xb6, 0x1e])).toBe("Aa"); // either Shift holds
  });
});

// ---- fakes: a service environment and devices --------------------------------------------------

/** A ServiceEnv that records deferred replies and IRQ acks; clients in `gone` have ended. */
function fakeEnv(ports: PortBus, services: Record<string, KernelService> = {}) {
  const replies: { client: number; w0: number; w1: number; w2: number; data: string }[] = [];
  const acks: number[] = [];
  const gone = new Set<number>();
  const env: ServiceEnv = {
    ports,
    reply(client, r) {
      if (gone.has(client)) return false;
      replies.push({ client, w0: r.w0, w1: r.w1, w2: r.w2, data: r.payload ? dec(r.payload) : "" });
      return true;
    },
    service: (name) => services[name],
    irqAck: (irq) => void acks.push(irq),
    nowMs: () => 0,
  };
  return { env, replies, acks, gone };
}

/** A request as the kernel makes it. */
function req(client: number, w0: number, w1 = 0, w2 = 0, payload: Uint8Array = new Uint8Array(0), replyCap = 4096): ServiceRequest {
  return { client, w0, w1, w2, payload, replyCap };
}

/** A PortBus that refuses every port its handlers do not cover. */
class FakeBus implements PortBus {
  readonly log: string[] = [];
  constructor(
    private readonly rd: (port: number, size: number) => number | undefined,
    private readonly wr: (port: number, value: number, size: number) => boolean,
  ) {}
  private r(port: number, size: number): number {
    const v = this.rd(port, size);
    if (v === undefined) throw new Error(`unexpected in${size} 0x${port.toString(16)}`);
    return v;
  }
  private w(port: number, value: number, size: number): void {
    this.log.push(`out${size} 0x${port.toString(16)} 0x${value.toString(16)}`);
    if (!this.wr(port, value, size)) throw new Error(`unexpected out${size} 0x${port.toString(16)}`);
  }
  inb(port: number) {
    return this.r(port, 1);
  }
  inw(port: number) {
    return this.r(port, 2);
  }
  inl(port: number) {
    return this.r(port, 4);
  }
  outb(port: number, v: number) {
    this.w(port, v, 1);
  }
  outw(port: number, v: number) {
    this.w(port, v, 2);
  }
  outl(port: number, v: number) {
    this.w(port, v, 4);
  }
}

/** A tiny 16550 on COM1: THR writes collected, RBR/LSR.DR from a receive queue, THRE after `busyPolls` polls. */
function fakeUart() {
  const tx: number[] = [];
  const rx: number[] = [];
  const regs = new Map<number, number>();
  const u = { tx, rx, regs, lsrReads: 0, busyPolls: 0, bus: undefined as unknown as FakeBus, out: () => dec(tx) };
  u.bus = new FakeBus(
    (port, size) => {
      if (size !== 1) return undefined;
      if (port === 0x3fd) {
        u.lsrReads++;
        const thre = u.busyPolls > 0 ? (u.busyPolls--, 0) : 0x60;
        return thre | (rx.length ? 1 : 0);
      }
      if (port === 0x3f8) return rx.shift() ?? 0;
      return undefined;
    },
    (port, value, size) => {
      if (size !== 1 || port < 0x3f8 || port > 0x3ff) return false;
      if (port === 0x3f8 && ((regs.get(0x3fb) ?? 0) & 0x80) === 0) tx.push(value);
      else regs.set(port, value);
      return true;
    },
  );
  return u;
}

// ---- the console service ------------------------------------------------------------------------

/** A started console on a fake UART holding `pending` received bytes. */
function startConsole(pending = "") {
  const uart = fakeUart();
  for (const c of pending) uart.rx.push(c.charCodeAt(0));
  const f = fakeEnv(uart.bus);
  const con = new ConsoleService();
  con.start(f.env);
  return { con, uart, ...f };
}

describe("console service", () => {
  it("programs COM1 like console.asm, takes bytes that arrived before, and enables IRQ 4", () => {
    const { uart, acks, con } = startConsole("hi\r");
    expect(uart.bus.log.slice(0, 8)).toEqual([
      "out1 0x3f9 0x0", "out1 0x3fb 0x80", "out1 0x3f8 0x1", "out1 0x3f9 0x0",
      "out1 0x3fb 0x3", "out1 0x3fa 0xc7", "out1 0x3fc 0xb", "out1 0x3f9 0x1",
    ]);
    expect(uart.out()).toBe("hi\n");
    expect(con.discipline.queued).toBe(3);
    expect(acks).toEqual([4]);
    expect(con.name).toBe("console");
    expect(con.irqs).toEqual([4]);
  });

  it("CON_WRITE prints the payload through THR and replies with the count", () => {
    const { con, uart } = startConsole();
    const text = "Hello, ring 0!\n".repeat(5);
    expect(con.request(req(5, MSG.CON_WRITE, 0, 0, enc(text)))).toEqual({ w0: text.length, w1: 0, w2: 0, payload: null });
    expect(uart.out()).toBe(text);
    expect(uart.lsrReads).toBe(Math.ceil(text.length / 16) + 1); // one THRE per FIFO burst (+1: start's drain)
  });

  it("waits for THRE (bounded) before a burst", () => {
    const { con, uart } = startConsole();
    uart.busyPolls = 3;
    con.request(req(5, MSG.CON_WRITE, 0, 0, enc("ab")));
    expect(uart.out()).toBe("ab");
    uart.busyPolls = 1e9; // THRE never comes: the bytes go anyway
    con.request(req(5, MSG.CON_WRITE, 0, 0, enc("x".repeat(17))));
    expect(uart.out()).toBe("ab" + "x".repeat(17));
  });

  it("CON_READ waits for a line typed on the UART (IRQ 4), then replies with it", () => {
    const { con, uart, replies, acks } = startConsole();
    expect(con.request(req(6, MSG.CON_READ, 100))).toBeNull();
    uart.rx.push(...enc("ls\r"));
    con.interrupt(4);
    expect(uart.out()).toBe("ls\n");
    expect(replies).toEqual([{ client: 6, w0: 3, w1: 0, w2: 0, data: "ls\n" }]);
    expect(acks).toEqual([4, 4]);
  });

  it("CON_READ with a line already typed is answered at once (at most its count)", () => {
    const { con, replies } = startConsole("echo hi\n");
    const r = con.request(req(6, MSG.CON_READ, 4))!;
    expect({ w0: r.w0, w1: r.w1, w2: r.w2, data: dec(r.payload!) }).toEqual({ w0: 4, w1: 0, w2: 0, data: "echo" });
    const r2 = con.request(req(6, MSG.CON_READ, 100))!;
    expect(dec(r2.payload!)).toBe(" hi\n");
    expect(replies).toEqual([]);
    expect(con.request(req(6, MSG.CON_READ, 0))).toEqual({ w0: 0, w1: 0, w2: 0, payload: null });
  });

  it("serves older readers first even when the newest request finds input", () => {
    const { con, replies } = startConsole();
    expect(con.request(req(6, MSG.CON_READ, 100))).toBeNull();
    con.request(req(2, MSG.CON_INPUT, 0x61));
    con.request(req(2, MSG.CON_INPUT, 0x0a));
    con.request(req(2, MSG.CON_INPUT, 0x62));
    con.request(req(2, MSG.CON_INPUT, 0x0d));
    expect(replies).toEqual([{ client: 6, w0: 2, w1: 0, w2: 0, data: "a\n" }]);
    const r = con.request(req(7, MSG.CON_READ, 100))!;
    expect(dec(r.payload!)).toBe("b\n");
  });

  it("CON_INPUT runs the discipline on a keyboard character and returns a reply (w0 0) the kernel drops", () => {
    const { con, uart } = startConsole();
    expect(con.request(req(3, MSG.CON_INPUT, 0x141))).toEqual({ w0: 0, w1: 0, w2: 0, payload: null }); // low byte 'A'
    con.request(req(3, MSG.CON_INPUT, 0x03));
    expect(uart.out()).toBe("A^C\n");
  });

  it("an end-of-input mark answers a reader with 0 bytes", () => {
    const { con, replies } = startConsole();
    con.request(req(6, MSG.CON_READ, 100));
    con.request(req(3, MSG.CON_INPUT, 0x04));
    expect(replies).toEqual([{ client: 6, w0: 0, w1: 0, w2: 0, data: "" }]);
  });

  it("-EAGAIN beyond NREADERS waiting readers, -ENOSYS for an unknown request", () => {
    const { con } = startConsole();
    for (let r = 10; r < 10 + NREADERS; r++) expect(con.request(req(r, MSG.CON_READ, 1))).toBeNull();
    expect(con.request(req(99, MSG.CON_READ, 1))!.w0).toBe(-E.AGAIN);
    expect(con.request(req(99, 0x7777))!.w0).toBe(-E.NOSYS);
    expect(con.request(req(99, MSG.DISK_READ))!.w0).toBe(-E.NOSYS);
  });

  it("a reader that ended (cancelled, or its reply refused) is dropped; the line goes to the next", () => {
    const { con, uart, replies, gone } = startConsole();
    con.request(req(6, MSG.CON_READ, 100));
    con.request(req(7, MSG.CON_READ, 100));
    con.request(req(8, MSG.CON_READ, 100));
    con.cancel(6);
    gone.add(7);
    uart.rx.push(...enc("x\n"));
    con.interrupt(4);
    expect(replies).toEqual([{ client: 8, w0: 2, w1: 0, w2: 0, data: "x\n" }]);
  });
});

// ---- the keyboard service -----------------------------------------------------------------------

/** A tiny 8042: a configuration byte, the keyboard's output queue (with aux bytes), command replies. */
function fake8042(opts: { answer?: boolean } = {}) {
  const out: { byte: number; aux: boolean }[] = [];
  const k = { out, config: 0x45, pendingCmd: 0, scanning: false, bus: undefined as unknown as FakeBus };
  k.bus = new FakeBus(
    (port, size) => {
      if (size !== 1) return undefined;
      if (port === 0x64) return 0x10 | (out.length ? 1 : 0) | (out[0]?.aux ? 0x20 : 0);
      if (port === 0x60) return out.shift()?.byte ?? 0;
      return undefined;
    },
    (port, value, size) => {
      if (size !== 1) return false;
      if (port === 0x64) {
        if (value === 0x20 && opts.answer !== false) out.push({ byte: k.config, aux: false });
        k.pendingCmd = value;
        return true;
      }
      if (port === 0x60) {
        if (k.pendingCmd === 0x60) k.config = value;
        else if (value === 0xf4) {
          k.scanning = true;
          out.push({ byte: 0xfa, aux: false });
        }
        k.pendingCmd = 0;
        return true;
      }
      return false;
    },
  );
  return k;
}

describe("keyboard service", () => {
  it("enables the first port's interrupt and clock, turns scanning on, discards leftovers, enables IRQ 1", () => {
    const k = fake8042();
    k.out.push({ byte: 0x99, aux: false });
    const f = fakeEnv(k.bus);
    const kbd = new KeyboardService();
    kbd.start(f.env);
    expect(k.config).toBe(0x45 | 0x01); // bit 4 (0x10) was clear already; bit 0 set
    expect(k.scanning).toBe(true);
    expect(k.out).toEqual([]);
    expect(f.acks).toEqual([1]);
    const k2 = fake8042({ answer: false });
    new KeyboardService().start(fakeEnv(k2.bus).env);
    expect(k2.config).toBe(0x05); // no answer: a sane configuration
  });

  it("IRQ 1 translates every waiting byte (mouse bytes skipped) and sends each character to the console as CON_INPUT", () => {
    const k = fake8042();
    const uart = fakeUart();
    const con = new ConsoleService();
    const f = fakeEnv(k.bus, { console: con });
    con.start({ ...fakeEnv(uart.bus).env, reply: f.env.reply });
    const kbd = new KeyboardService();
    kbd.start(f.env);
    expect(con.request(req(6, MSG.CON_READ, 100))).toBeNull();
    for (const b of scancodes("Hi\n")) k.out.push({ byte: b, aux: false }, { byte: 0x1e, aux: true });
    kbd.interrupt(1);
    expect(uart.out()).toBe("Hi\n");
    expect(f.replies).toEqual([{ client: 6, w0: 3, w1: 0, w2: 0, data: "Hi\n" }]);
    expect(f.acks).toEqual([1, 1]);
    expect(kbd.request(req(6, 1)).w0).toBe(-E.NOSYS);
  });

  it("drops characters while there is no console", () => {
    const k = fake8042();
    const f = fakeEnv(k.bus);
    const kbd = new KeyboardService();
    kbd.start(f.env);
    for (const b of scancodes("x")) k.out.push({ byte: b, aux: false });
    kbd.interrupt(1);
    expect(k.out).toEqual([]);
    expect(f.acks).toEqual([1, 1]);
  });
});

// ---- the disk service ---------------------------------------------------------------------------

/**
 * A tiny ATA primary master over `disk` (LBA28 PIO: IDENTIFY, READ/WRITE SECTORS, SET MULTIPLE MODE,
 * READ/WRITE MULTIPLE), as v86 behaves. `multiple` is IDENTIFY's word 47 (the most sectors per DRQ
 * block; 0 = no multiple mode, so the multiple commands are aborted); `refuseMultiple` makes SET
 * MULTIPLE MODE fail with ERR.
 */
function fakeAta(disk: Uint8Array | null, opts: { identifySectors?: number; multiple?: number; refuseMultiple?: boolean } = {}) {
  const a = {
    status: disk ? 0x50 : 0,
    ctrl: 0x02, // v86 resets with nIEN = 1
    regs: new Uint8Array(8),
    data: new Uint8Array(256 * 512),
    ptr: 0,
    end: 0, // the current DRQ block is data[0, end)
    cmd: 0,
    lba: 0,
    left: 0,
    perDrq: 0, // sectors per DRQ block of READ/WRITE MULTIPLE (0: SET MULTIPLE MODE not done)
    commands: [] as number[],
    irqs: 0,
    statusReads: 0,
    dataAccesses: new Map<number, number>(),
    failNext: false, // the next command ends with ERR
    stuckBusy: false, // BSY never clears
    bus: undefined as unknown as FakeBus,
  };
  const sectors = disk ? disk.length / 512 : 0;
  const irq = () => {
    if ((a.ctrl & 2) === 0) a.irqs++;
  };
  const status = () => (a.stuckBusy ? 0xd0 : a.status);
  const multiple = () => a.cmd === 0xc4 || a.cmd === 0xc5;
  const blockSectors = () => Math.min(multiple() ? a.perDrq : 1, a.left);
  const loadBlock = () => {
    const n = blockSectors();
    a.data.set(disk!.subarray(a.lba * 512, (a.lba + n) * 512));
    a.ptr = 0;
    a.end = n * 512;
    a.status = 0x58;
    irq();
  };
  const endData = () => {
    const n = a.end / 512;
    if (a.cmd === 0x20 || a.cmd === 0xc4) {
      a.lba += n;
      a.left -= n;
      if (a.left > 0) loadBlock();
      else a.status = 0x50;
    } else if (a.cmd === 0x30 || a.cmd === 0xc5) {
      disk!.set(a.data.subarray(0, a.end), a.lba * 512);
      a.lba += n;
      a.left -= n;
      irq();
      if (a.left > 0) {
        a.ptr = 0;
        a.end = blockSectors() * 512;
        a.status = 0x58;
      } else a.status = 0x50;
    } else a.status = 0x50;
  };
  const command = (cmd: number) => {
    a.cmd = cmd;
    a.commands.push(cmd);
    const r = a.regs;
    if (cmd === 0xc6) {
      const n = r[2]!;
      if (opts.refuseMultiple || n === 0 || n > (opts.multiple ?? 0)) a.status = 0x51; // DRDY | ERR: aborted
      else {
        a.perDrq = n;
        a.status = 0x50;
      }
      irq();
      return;
    }
    a.lba = r[3]! | (r[4]! << 8) | (r[5]! << 16) | ((r[6]! & 0x0f) << 24);
    a.left = r[2] || 256;
    const aborted = (cmd === 0xc4 || cmd === 0xc5) && a.perDrq === 0;
    if (a.failNext || aborted || (cmd !== 0xec && a.lba + a.left > sectors)) {
      a.failNext = false;
      a.status = 0x51; // DRDY | ERR
      irq();
      return;
    }
    if (cmd === 0xec) {
      a.data.fill(0, 0, 512);
      const n = opts.identifySectors ?? sectors;
      a.data[94] = opts.multiple ?? 0; // word 47: the most sectors per DRQ block
      a.data[95] = 0x80;
      a.data[120] = n;
      a.data[121] = n >>> 8;
      a.data[122] = n >>> 16;
      a.data[123] = n >>> 24;
      a.ptr = 0;
      a.end = 512;
      a.left = 1;
      a.status = 0x58;
      irq();
    } else if (cmd === 0x20 || cmd === 0xc4) loadBlock();
    else if (cmd === 0x30 || cmd === 0xc5) {
      a.ptr = 0;
      a.end = blockSectors() * 512;
      a.status = 0x58;
    }
  };
  const count = (size: number) => a.dataAccesses.set(size, (a.dataAccesses.get(size) ?? 0) + 1);
  a.bus = new FakeBus(
    (port, size) => {
      if (port === 0x1f0) {
        count(size);
        if (a.ptr >= a.end) return 0;
        let v = 0;
        for (let i = 0; i < size; i++) v |= a.data[a.ptr + i]! << (8 * i);
        a.ptr += size;
        if (a.ptr === a.end) endData();
        return v >>> 0;
      }
      if (size !== 1) return undefined;
      if (port === 0x1f7) {
        a.statusReads++;
        return status();
      }
      if (port === 0x3f6) return status();
      if (port >= 0x1f1 && port <= 0x1f6) return a.regs[port - 0x1f0]!;
      return undefined;
    },
    (port, value, size) => {
      if (port === 0x1f0) {
        count(size);
        if ((a.cmd !== 0x30 && a.cmd !== 0xc5) || a.ptr >= a.end) return true;
        for (let i = 0; i < size; i++) a.data[a.ptr + i] = value >>> (8 * i);
        a.ptr += size;
        if (a.ptr === a.end) endData();
        return true;
      }
      if (size !== 1) return false;
      if (port === 0x3f6) a.ctrl = value;
      else if (port === 0x1f7) command(value);
      else if (port >= 0x1f1 && port <= 0x1f6) a.regs[port - 0x1f0] = value;
      else return false;
      return true;
    },
  );
  return a;
}

/** A disk of `n` sectors, each byte a function of its offset. */
function pattern(n: number): Uint8Array {
  const d = new Uint8Array(n * 512);
  for (let i = 0; i < d.length; i++) d[i] = (i * 7 + (i >>> 9)) & 0xff;
  return d;
}

/** A started disk service on a fake drive. */
function startDisk(disk: Uint8Array | null, opts: { identifySectors?: number; pollLimit?: number; multiple?: number; refuseMultiple?: boolean } = {}) {
  const ata = fakeAta(disk, opts);
  const f = fakeEnv(ata.bus);
  const svc = new DiskService({ pollLimit: opts.pollLimit });
  svc.start(f.env);
  return { svc, ata, ...f };
}

describe("disk service", () => {
  it("enables IRQ 14 and the drive's interrupt (nIEN = 0), and learns the size by IDENTIFY", () => {
    const { svc, ata, acks } = startDisk(pattern(40));
    expect(acks).toEqual([14]);
    expect(ata.ctrl).toBe(0);
    expect(ata.bus.log.slice(0, 2)).toEqual(["out1 0x3f6 0x0", "out1 0x1f6 0xa0"]);
    expect(svc.sectors).toBe(40);
    expect(svc.blockDevice.sectors).toBe(40);
    expect(svc.request(req(5, MSG.DISK_SIZE))).toEqual({ w0: 40, w1: 0, w2: 0, payload: null });
    expect(ata.irqs).toBe(1); // IDENTIFY's
  });

  it("caps the size at 2^28 sectors (LBA28); no drive means size 0 and every transfer -EINVAL", () => {
    expect(startDisk(pattern(2), { identifySectors: 0x7000_0000 }).svc.sectors).toBe(1 << 28);
    const none = startDisk(null);
    expect(none.svc.sectors).toBe(0);
    expect(none.svc.request(req(5, MSG.DISK_READ, 0, 1))!.w0).toBe(-E.INVAL);
    expect(none.svc.request(req(5, MSG.DISK_SIZE))!.w0).toBe(0);
  });

  it("DISK_READ returns count × 512 bytes of the disk, moved with 32-bit port reads", () => {
    const disk = pattern(40);
    const { svc, ata } = startDisk(disk);
    ata.dataAccesses.clear();
    for (const [lba, count] of [[0, 1], [3, 8], [32, 8], [39, 1]] as const) {
      const r = svc.request(req(5, MSG.DISK_READ, lba, count))!;
      expect(r.w0).toBe(count * 512);
      expect([r.w1, r.w2]).toEqual([0, 0]);
      expect(r.payload!.length).toBe(count * 512);
      expect(Buffer.from(r.payload!).equals(disk.subarray(lba * 512, (lba + count) * 512))).toBe(true);
    }
    expect([...ata.dataAccesses]).toEqual([[4, 18 * 128]]);
  });

  it("DISK_WRITE writes count × 512 bytes (32-bit port writes) and replies with the count", () => {
    const disk = pattern(16);
    const { svc, ata } = startDisk(disk);
    ata.dataAccesses.clear();
    const data = new Uint8Array(3 * 512).map((_, i) => 255 - (i & 0xff));
    const before = disk.slice();
    expect(svc.request(req(5, MSG.DISK_WRITE, 5, 3, data))).toEqual({ w0: 1536, w1: 0, w2: 0, payload: null });
    expect(Buffer.from(disk.subarray(5 * 512, 8 * 512)).equals(data)).toBe(true);
    expect(Buffer.from(disk.subarray(0, 5 * 512)).equals(before.subarray(0, 5 * 512))).toBe(true);
    expect(Buffer.from(disk.subarray(8 * 512)).equals(before.subarray(8 * 512))).toBe(true);
    expect([...ata.dataAccesses]).toEqual([[4, 3 * 128]]);
    expect(ata.irqs).toBe(1 + 3); // IDENTIFY + one per sector taken
  });

  it("refuses a count outside 1–8, a range past the end and a short payload with -EINVAL; unknown requests -ENOSYS", () => {
    const { svc, ata } = startDisk(pattern(16));
    const before = ata.bus.log.length;
    for (const [lba, count] of [[0, 0], [0, 9], [0, -1], [16, 1], [15, 2], [-1, 1], [0x7fff_ffff, 8]]) {
      expect(svc.request(req(5, MSG.DISK_READ, lba, count))!.w0).toBe(-E.INVAL);
      expect(svc.request(req(5, MSG.DISK_WRITE, lba, count, new Uint8Array(4096)))!.w0).toBe(-E.INVAL);
    }
    expect(svc.request(req(5, MSG.DISK_WRITE, 0, 2, new Uint8Array(1023)))!.w0).toBe(-E.INVAL);
    expect(svc.request(req(5, MSG.DISK_READ, 8, DISK_MAX_COUNT))!.w0).toBe(4096);
    expect(ata.bus.log.length).toBe(before + 6); // only the last request reached the drive
    expect(svc.request(req(5, 99))!.w0).toBe(-E.NOSYS);
    expect(svc.request(req(5, MSG.CON_WRITE))!.w0).toBe(-E.NOSYS);
  });

  it("a device error is -EIO; a drive that stays busy is -EIO after a bounded number of polls", () => {
    const { svc, ata } = startDisk(pattern(16), { pollLimit: 50 });
    ata.failNext = true;
    expect(svc.request(req(5, MSG.DISK_READ, 0, 1))).toEqual({ w0: -E.IO, w1: 0, w2: 0, payload: null });
    ata.failNext = true;
    expect(svc.request(req(5, MSG.DISK_WRITE, 0, 1, new Uint8Array(512)))!.w0).toBe(-E.IO);
    expect(svc.request(req(5, MSG.DISK_READ, 0, 1))!.w0).toBe(512); // the drive recovers
    ata.stuckBusy = true;
    expect(svc.request(req(5, MSG.DISK_READ, 0, 1))!.w0).toBe(-E.IO);
    expect(svc.blockDevice.read(0, 1, new Uint8Array(512))).toBe(false);
  });

  it("IRQ 14 reads the status register (lowering the request) and unmasks the line", () => {
    const { svc, ata, acks } = startDisk(pattern(4));
    const reads = ata.statusReads;
    svc.interrupt(14);
    expect(ata.statusReads).toBe(reads + 1);
    expect(acks).toEqual([14, 14]);
    svc.interrupt(4); // not ours
    expect(acks).toEqual([14, 14]);
  });

  it("a drive with blocks of 8 sectors or more: SET MULTIPLE MODE 8, then READ/WRITE MULTIPLE, one interrupt per 8 sectors", () => {
    const disk = pattern(600);
    const { svc, ata } = startDisk(disk, { multiple: 128 });
    expect(svc.perBlock).toBe(8);
    const log = ata.bus.log;
    const set = log.indexOf("out1 0x1f7 0xc6");
    expect(set).toBeGreaterThan(0);
    expect(log.slice(0, set).filter((l) => l.startsWith("out1 0x1f2 ")).at(-1)).toBe("out1 0x1f2 0x8");
    expect(ata.irqs).toBe(2); // IDENTIFY's and SET MULTIPLE MODE's
    ata.dataAccesses.clear();
    for (const [lba, count] of [[3, 8], [32, 5], [599, 1]] as const) {
      const r = svc.request(req(5, MSG.DISK_READ, lba, count))!;
      expect(r.w0).toBe(count * 512);
      expect(Buffer.from(r.payload!).equals(disk.subarray(lba * 512, (lba + count) * 512))).toBe(true);
    }
    expect(ata.irqs).toBe(2 + 3); // one per request: each is one DRQ block
    const data = new Uint8Array(7 * 512).map((_, i) => 255 - (i & 0xff));
    expect(svc.request(req(5, MSG.DISK_WRITE, 10, 7, data))!.w0).toBe(7 * 512);
    expect(Buffer.from(disk.subarray(10 * 512, 17 * 512)).equals(data)).toBe(true);
    expect(ata.irqs).toBe(2 + 3 + 1);
    expect([...ata.dataAccesses]).toEqual([[4, (8 + 5 + 1 + 7) * 128]]);
    expect(ata.commands.slice(2)).toEqual([0xc4, 0xc4, 0xc4, 0xc5]);
    const into = new Uint8Array(300 * 512);
    expect(svc.blockDevice.read(100, 300, into)).toBe(true); // 256 + 44 sectors: 32 + 6 blocks
    expect(Buffer.from(into).equals(disk.subarray(100 * 512, 400 * 512))).toBe(true);
    expect(ata.irqs).toBe(6 + 38);
    const fill = new Uint8Array(260 * 512).fill(0xcd);
    expect(svc.blockDevice.write(340, fill)).toBe(true); // 256 + 4 sectors: 32 + 1 blocks
    expect(disk.subarray(340 * 512, 600 * 512).every((b) => b === 0xcd)).toBe(true);
    expect(ata.irqs).toBe(44 + 33);
    expect(ata.commands.slice(6)).toEqual([0xc4, 0xc4, 0xc5, 0xc5]);
  });

  it("a drive with smaller blocks, or one that refuses SET MULTIPLE MODE, gets READ/WRITE SECTORS: one interrupt per sector", () => {
    for (const opts of [{ multiple: 4 }, { multiple: 16, refuseMultiple: true }]) {
      const disk = pattern(40);
      const { svc, ata } = startDisk(disk, opts);
      expect(svc.perBlock).toBe(1);
      const before = ata.irqs;
      const r = svc.request(req(5, MSG.DISK_READ, 8, 8))!;
      expect(Buffer.from(r.payload!).equals(disk.subarray(8 * 512, 16 * 512))).toBe(true);
      expect(svc.request(req(5, MSG.DISK_WRITE, 0, 2, new Uint8Array(1024).fill(7)))!.w0).toBe(1024);
      expect(disk.subarray(0, 1024).every((b) => b === 7)).toBe(true);
      expect(ata.irqs - before).toBe(8 + 2);
      expect(ata.commands.filter((c) => c !== 0xec && c !== 0xc6)).toEqual([0x20, 0x30]);
    }
  });

  it("its block device reads and writes whole sectors, in commands of at most 256 sectors, within the disk", () => {
    const disk = pattern(600);
    const { svc, ata } = startDisk(disk);
    const bd = svc.blockDevice;
    const into = new Uint8Array(300 * 512);
    expect(bd.read(100, 300, into)).toBe(true);
    expect(Buffer.from(into).equals(disk.subarray(100 * 512, 400 * 512))).toBe(true);
    expect(ata.bus.log.filter((l) => l === "out1 0x1f7 0x20")).toHaveLength(2);
    const data = new Uint8Array(260 * 512).fill(0xab);
    expect(bd.write(340, data)).toBe(true);
    expect(disk.subarray(340 * 512, 600 * 512).every((b) => b === 0xab)).toBe(true);
    expect(disk[340 * 512 - 1]).toBe(pattern(600)[340 * 512 - 1]);
    expect(bd.read(599, 2, new Uint8Array(1024))).toBe(false);
    expect(bd.read(0, 2, new Uint8Array(1000))).toBe(false);
    expect(bd.write(599, new Uint8Array(1024))).toBe(false);
    expect(bd.write(0, new Uint8Array(100))).toBe(false);
  });
});

// ---- on the real v86 devices ---------------------------------------------------------------------

/** A multiboot image that only halts (the machine is never run: port I/O needs no CPU). */
function haltGuest(): Uint8Array {
  const LOAD = 0x0010_0000;
  const header = new Uint32Array([0x1badb002, 0x0001_0000, (-(0x1badb002 + 0x0001_0000)) >>> 0, LOAD, LOAD, 0, 0, LOAD + 32]);
  const img = new Uint8Array(34);
  img.set(new Uint8Array(header.buffer), 0);
  img.set([0xfa, 0xf4], 32); // cli; hlt
  return img;
}

describe("the services on v86's devices (PortIo over a Machine)", () => {
  it("disk: IDENTIFY, SET MULTIPLE MODE, READ/WRITE MULTIPLE with 32-bit data port accesses; console: THR bytes reach the host; keyboard: the 8042 answers", async () => {
    const hda = pattern(64);
    const m = await Machine.create({ multiboot: haltGuest(), memoryBytes: 4 << 20, hda });
    try {
      const ports = new PortIo(m);
      const f = fakeEnv(ports);
      const disk = new DiskService({ pollLimit: 1000 });
      disk.start(f.env);
      expect(disk.sectors).toBe(64);
      expect(disk.perBlock).toBe(8); // v86's drive offers READ/WRITE MULTIPLE (word 47 = 128)
      const r = disk.request(req(5, MSG.DISK_READ, 10, 8))!;
      expect(r.w0).toBe(4096);
      expect(Buffer.from(r.payload!).equals(hda.subarray(10 * 512, 18 * 512))).toBe(true);
      const data = new Uint8Array(2 * 512).map((_, i) => (i * 13) & 0xff);
      expect(disk.request(req(5, MSG.DISK_WRITE, 62, 2, data))!.w0).toBe(1024);
      expect(Buffer.from(hda.subarray(62 * 512)).equals(data)).toBe(true); // writes land in the image
      const back = new Uint8Array(64 * 512);
      expect(disk.blockDevice.read(0, 64, back)).toBe(true);
      expect(Buffer.from(back).equals(hda)).toBe(true);
      expect(disk.request(req(5, MSG.DISK_READ, 63, 2))!.w0).toBe(-E.INVAL);
      disk.interrupt(14);
      expect(f.acks).toEqual([14, 14]);

      const out: number[] = [];
      m.onSerialOutput((b) => out.push(b));
      const con = new ConsoleService();
      con.start(f.env);
      expect(con.request(req(5, MSG.CON_WRITE, 0, 0, enc("ring 0 says hi\n")))!.w0).toBe(15);
      expect(dec(out)).toBe("ring 0 says hi\n");
      expect(con.request(req(6, MSG.CON_READ, 10))).toBeNull(); // nothing typed

      const kbd = new KeyboardService();
      kbd.start(f.env);
      kbd.interrupt(1); // nothing waiting
      expect(f.acks).toEqual([14, 14, 4, 1, 1]);
    } finally {
      m.destroy();
    }
  });
});
