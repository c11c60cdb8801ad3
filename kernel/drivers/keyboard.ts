// keyboard: the in-kernel (monolithic-mode) PS/2 keyboard service — servers/keyboard.asm in
// TypeScript. Drives the first port of the 8042 controller (ports 0x60 and 0x64, IRQ 1) and turns
// scan code set 1 into characters for the console service.
//
// start: flushes the output buffer, sets bit 0 (first-port interrupt) and clears bit 4 (first-port
//   clock disabled) of the controller configuration byte (command 0x20 reads it — 0x05 if it does
//   not answer — and 0x60 writes it), tells the keyboard to scan (0xf4, answered 0xfa), flushes
//   again, then irqAck(1) (the first ack enables the line). Every controller wait is bounded by
//   POLL_LIMIT status polls, as in the ring-3 server.
// interrupt(1): reads port 0x60 while the status port says the output buffer is full (bytes from the
//   second, mouse, port are read and skipped), translates each code (Set1Translator) and sends each
//   character (a cursor key: the bytes of its VT100 sequence, ESC [ x, one at a time) to the console service (env.service("console"), looked up per character; none: the
//   character is dropped) as a MSG.CON_INPUT request with w1 = the character and client 0 (the
//   kernel: no process sends it); its reply is ignored. Then irqAck(1).
// request: none is served (-ENOSYS).
import { MSG } from "../protocol.ts";
import { E } from "../names.ts";
import { reply, type KernelService, type PortBus, type ServiceEnv, type ServiceReply, type ServiceRequest } from "../service.ts";

const KBD_DATA = 0x60;
const KBD_STATUS = 0x64; // status (read), controller command (write)
const ST_OUTFULL = 0x01; // a byte waits in the data port
const ST_INFULL = 0x02; // the controller has not taken the last byte written yet
const ST_AUX = 0x20; // the waiting byte comes from the second (mouse) port
const KBD_IRQ = 1;
const POLL_LIMIT = 100_000; // status polls before a controller step is given up

const SC_LCTRL = 0x1d;
const SC_LSHIFT = 0x2a;
const SC_RSHIFT = 0x36;
const SC_CAPS = 0x3a;
const SC_E0 = 0xe0;

/** Set-1 make code → character, unshifted (0 = no character); codes 0x00–0x39 (keyboard.asm's `keymap`). */
export const KEYMAP: Uint8Array = bytes("\0\x1b1234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ");
/** The same with Shift held (keyboard.asm's `keymap_shift`). */
export const KEYMAP_SHIFT: Uint8Array = bytes('\0\x1b!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:"~\0|ZXCVBNM<>?\0*\0 ');

/** A cursor key's code from `feed`: KEY_SEQ | the final byte of ESC [ x. */
export const KEY_SEQ = 0x100;
/** 0xe0-prefixed make code → the final byte of its sequence (keyboard.asm's `e0_keys`). */
const E0_KEYS: Readonly<Record<number, number>> = { 0x48: 0x41, 0x50: 0x42, 0x4d: 0x43, 0x4b: 0x44, 0x47: 0x48, 0x4f: 0x46, 0x53: 0x33 };

/** The bytes a `feed` result stands for: one character, or a cursor key's ESC [ x (ESC [ 3 ~ for Delete). */
export function keySequence(code: number): number[] {
  if (code < KEY_SEQ) return [code];
  const x = code & 0xff;
  return x === 0x33 ? [0x1b, 0x5b, x, 0x7e] : [0x1b, 0x5b, x];
}

/** The bytes of a Latin-1 string. */
function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/**
 * Scan code set 1 → characters, with the modifier state of keyboard.asm: Shift (either) selects the
 * shifted symbol, Caps Lock toggles the case of letters, Ctrl (left or right) + a letter gives its
 * control code; releases (bit 7) count only for Shift and Ctrl; after 0xe0 only Right Ctrl, keypad
 * Enter ('\n'), keypad '/' and the cursor keys count. A cursor key gives KEY_SEQ | x, x the final
 * byte of its VT100 sequence ESC [ x ('3' for Delete: ESC [ 3 ~) — see `keySequence`.
 */
export class Set1Translator {
  /** bit 0 left, bit 1 right */
  private shift = 0;
  private ctrl = 0;
  private caps = false;
  private prefix = false;

  /** Feeds one scan code: the character it makes (0–0x7f), KEY_SEQ | x for a cursor key, or -1 for none. Allocates nothing. */
  feed(code: number): number {
    const c = code & 0xff;
    if (c === SC_E0) {
      this.prefix = true;
      return -1;
    }
    const key = c & 0x7f;
    const released = (c & 0x80) !== 0;
    if (this.prefix) {
      this.prefix = false;
      if (key === SC_LCTRL) {
        this.ctrl = released ? this.ctrl & ~2 : this.ctrl | 2; // E0 1D: right Ctrl
        return -1;
      }
      if (released) return -1;
      if (key === 0x1c) return 10; // keypad Enter
      if (key === 0x35) return 0x2f; // keypad '/'
      const x = E0_KEYS[key];
      return x === undefined ? -1 : KEY_SEQ | x;
    }
    if (key === SC_LSHIFT || key === SC_RSHIFT) {
      const bit = key === SC_LSHIFT ? 1 : 2;
      this.shift = released ? this.shift & ~bit : this.shift | bit;
      return -1;
    }
    if (key === SC_LCTRL) {
      this.ctrl = released ? this.ctrl & ~1 : this.ctrl | 1;
      return -1;
    }
    if (released) return -1; // other releases do nothing
    if (key === SC_CAPS) {
      this.caps = !this.caps;
      return -1;
    }
    if (key >= KEYMAP.length) return -1;
    let ch = (this.shift !== 0 ? KEYMAP_SHIFT : KEYMAP)[key]!;
    if (ch === 0) return -1;
    const lower = ch | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) {
      if (this.caps) ch ^= 0x20;
      if (this.ctrl !== 0) ch &= 0x1f;
    }
    return ch;
  }
}

/** A CON_INPUT request the service reuses for every character (the console reads it during the call). */
interface InputRequest {
  client: number;
  w0: number;
  w1: number;
  w2: number;
  payload: Uint8Array;
  replyCap: number;
}

/** The keyboard service: the 8042's first port → characters → the console service. */
export class KeyboardService implements KernelService {
  readonly name = "keyboard";
  readonly irqs: readonly number[] = [KBD_IRQ];
  /** The scan code translation (exposed for tests and inspection). */
  readonly translator = new Set1Translator();
  private env: ServiceEnv | undefined;
  private ports: PortBus | undefined;
  private readonly inputReq: InputRequest = { client: 0, w0: MSG.CON_INPUT, w1: 0, w2: 0, payload: new Uint8Array(0), replyCap: 0 };

  /** Enables the keyboard (configuration byte, scanning) and IRQ 1. */
  start(env: ServiceEnv): void {
    this.env = env;
    this.ports = env.ports;
    this.kbdInit();
    env.irqAck(KBD_IRQ);
  }

  /**
   * The keyboard serves no requests: -ENOSYS. (Its ring-3 counterpart receives only from HARDWARE,
   * so a sender would wait forever; no manifest entry may send to it.)
   */
  request(_req: ServiceRequest): ServiceReply {
    return reply(-E.NOSYS);
  }

  /** IRQ 1: translates every waiting keyboard byte and sends its character to the console, then unmasks the line. */
  interrupt(irq: number): void {
    if (irq !== KBD_IRQ) return;
    const p = this.ports!;
    for (let n = 0; n < POLL_LIMIT; n++) {
      const st = p.inb(KBD_STATUS);
      if ((st & ST_OUTFULL) === 0) break;
      const code = p.inb(KBD_DATA);
      if ((st & ST_AUX) !== 0) continue; // a mouse byte: not ours
      const ch = this.translator.feed(code);
      if (ch >= KEY_SEQ) {
        this.sendChar(0x1b);
        this.sendChar(0x5b);
        this.sendChar(ch & 0xff);
        if ((ch & 0xff) === 0x33) this.sendChar(0x7e);
      } else if (ch >= 0) this.sendChar(ch);
    }
    this.env!.irqAck(KBD_IRQ);
  }

  /** Sends one character to the console service as CON_INPUT (dropped if there is no console). */
  private sendChar(ch: number): void {
    const console = this.env!.service("console");
    if (!console) return;
    this.inputReq.w1 = ch;
    console.request(this.inputReq);
  }

  /** The 8042 setup of keyboard.asm's kbd_init (bounded waits; leftovers discarded). */
  private kbdInit(): void {
    this.flushOutput();
    this.writeCommand(0x20); // read the configuration byte
    let config = this.readData();
    if (config < 0) config = 0x05; // no answer: a sane configuration
    config = (config | 0x01) & ~0x10;
    this.writeCommand(0x60); // write the configuration byte
    this.writeData(config);
    this.writeData(0xf4); // keyboard: enable scanning
    this.readData(); // 0xfa (acknowledge)
    this.flushOutput();
  }

  /** Discards every byte waiting in the output buffer (at most POLL_LIMIT). */
  private flushOutput(): void {
    const p = this.ports!;
    for (let n = 0; n < POLL_LIMIT && (p.inb(KBD_STATUS) & ST_OUTFULL) !== 0; n++) p.inb(KBD_DATA);
  }

  /** Waits (at most POLL_LIMIT polls) until the controller can take a byte. */
  private waitInputEmpty(): void {
    const p = this.ports!;
    for (let n = 0; n < POLL_LIMIT && (p.inb(KBD_STATUS) & ST_INFULL) !== 0; n++);
  }

  /** Sends a controller command to port 0x64. */
  private writeCommand(cmd: number): void {
    this.waitInputEmpty();
    this.ports!.outb(KBD_STATUS, cmd);
  }

  /** Sends a byte to port 0x60 (to the keyboard, or a command's argument). */
  private writeData(value: number): void {
    this.waitInputEmpty();
    this.ports!.outb(KBD_DATA, value);
  }

  /** The next byte of the output buffer, or -1 if none came within POLL_LIMIT polls. */
  private readData(): number {
    const p = this.ports!;
    for (let n = 0; n < POLL_LIMIT; n++) if ((p.inb(KBD_STATUS) & ST_OUTFULL) !== 0) return p.inb(KBD_DATA);
    return -1;
  }
}
