// Device-path repairs for v86 0.5.462, applied to every machine (one place). The release build still
// evaluates the arguments of its stripped debug statements: `h(x)`, a hex formatter that builds a
// string, runs in IDEInterface.read_data (every IDE data-port access, i.e. every PIO word), in the
// UART's write_data (every byte sent), in its LSR and IIR reads (every poll) and in data_received
// (every byte typed); write_data also builds the bus event name "serial0-output-byte" per byte.
// One more shortens the path of every byte sent: the THR port's 8-bit writer (a closure that calls
// write_data) is replaced by one that hands the byte straight to the machine's sink instead of
// through the bus, and raises the THRE interrupt only when it is not already pending (ints bit 2:
// every change of ints or IER is followed by CheckInterrupt, so with the bit set it would drive the
// PIC line to the level it already has).
// One more takes an allocation off every IDE command: read_buffer made an AbortController (and its
// AbortSignal, an EventTarget Node tracks for the garbage collector) per READ command, only to be able
// to cancel a read still in flight on a device reset; with the disk in memory the read completes
// inside the call, so the controller is now made only if the buffer asks for the signal, and the
// read is entered among those in flight only if it did not complete at once.
// Each patch replaces one function with the same code minus that work — only if the function's
// source is exactly the one verified here (line breaks aside); otherwise it is left alone (the machine still works,
// just slower) and tests/emulator-patches.test.ts fails, naming the function that changed.
import type { V86Cpu } from "./v86-internals.ts";

/** The v86 0.5.462 sources each patch replaces, verbatim (Function.prototype.toString). */
export const PATCHED_SOURCES = {
  ideReadData:
    "function(a){if(this.data_pointer<this.data_end){y(this.data_pointer);var b=1===a?this.data[this.data_pointer]:\n" +
    "2===a?this.data16[this.data_pointer>>>1]:this.data32[this.data_pointer>>>2];this.data_pointer+=a;this.data_pointer>=this.data_end&&this.read_end();return b}this.data_pointer+=a;return 0}",
  uartWriteData:
    "function(a){this.line_control&128?this.baud_rate=this.baud_rate&\n" +
    '-256|a:(y(a),this.ThrowInterrupt(2),this.modem_control&16?this.data_received(a):this.bus.send("serial"+this.com+"-output-byte",a))}',
  uartDataReceived: "function(a){y(a);this.input.push(a);this.lsr|=1;this.fifo_control&1?this.ThrowInterrupt(12):this.ThrowInterrupt(4)}",
  uartReadLsr: "function(){y(this.lsr);return this.lsr}",
  uartReadIir: "function(){var d=this.iir&15;y(this.iir);2===this.iir&&this.ClearInterrupt(2);this.fifo_control&1&&(d|=192);return d}",
  uartThrWrite: "function(d){this.write_data(d)}",
  ideReadBuffer:
    "function(a,b,c){const d=this.last_io_id++,e=new AbortController;this.in_progress_io_ids.set(d,e);this.buffer.get(a,b,f=>{this.cancelled_io_ids.delete(d)?" +
    "this.in_progress_io_ids.has(d):(this.in_progress_io_ids.delete(d),c(f))},{signal:e.signal})}",
} as const;

export type PatchName = keyof typeof PATCHED_SOURCES;

/**
 * A function's source without its line breaks: v86's module build (libv86.mjs, what the sources
 * import) and its script build (libv86.js, what the CLI's bundle runs) hold the same minified code,
 * wrapped at different places.
 */
const unwrapped = (source: string): string => source.replace(/\n/g, "");

/** The COM1 base port (v86 device uart0). */
const COM1 = 0x3f8;

/** The same behaviour as ideReadData without the debug formatting. */
function ideReadData(this: any, a: number): number {
  if (this.data_pointer < this.data_end) {
    const b = a === 1 ? this.data[this.data_pointer] : a === 2 ? this.data16[this.data_pointer >>> 1] : this.data32[this.data_pointer >>> 2];
    this.data_pointer += a;
    if (this.data_pointer >= this.data_end) this.read_end();
    return b;
  }
  this.data_pointer += a;
  return 0;
}

/**
 * ideReadBuffer's replacement: reads `b` bytes at `a` of the disk and hands them to `c`, unless
 * cancel_io_operations (a device reset) cancelled the read while it was in flight. An AbortController
 * is made only if the buffer reads `signal`; the read is entered in `in_progress_io_ids` (where a reset
 * finds it, calls `abort()` and marks it cancelled) only if it is still in flight when get returns.
 */
export function ideReadBuffer(this: any, a: number, b: number, c: (data: Uint8Array) => void): void {
  const d = this.last_io_id++;
  let controller: AbortController | undefined;
  let state = 0; // 0: inside get, 1: in flight (entered in in_progress_io_ids), 2: done
  this.buffer.get(
    a,
    b,
    (f: Uint8Array) => {
      if (state === 1) {
        if (this.cancelled_io_ids.delete(d)) return;
        this.in_progress_io_ids.delete(d);
      }
      state = 2;
      c(f);
    },
    {
      get signal(): AbortSignal {
        return (controller ??= new AbortController()).signal;
      },
    },
  );
  if (state === 0) {
    state = 1;
    this.in_progress_io_ids.set(d, { abort: () => controller?.abort() });
  }
}

/** uartWriteData without the debug formatting, the event name built once per UART. */
function uartWriteData(this: any, a: number): void {
  if (this.line_control & 128) {
    this.baud_rate = (this.baud_rate & -256) | a;
    return;
  }
  this.ThrowInterrupt(2);
  if (this.modem_control & 16) this.data_received(a);
  else this.bus.send((this.ringsideOutputEvent ??= "serial" + this.com + "-output-byte"), a);
}

function uartDataReceived(this: any, a: number): void {
  this.input.push(a);
  this.lsr |= 1;
  if (this.fifo_control & 1) this.ThrowInterrupt(12);
  else this.ThrowInterrupt(4);
}

function uartReadLsr(this: any): number {
  return this.lsr;
}

function uartReadIir(this: any): number {
  let d = this.iir & 15;
  if (this.iir === 2) this.ClearInterrupt(2);
  if (this.fifo_control & 1) d |= 192;
  return d;
}

/**
 * uartWriteData for an 8-bit write to the THR, delivering the byte to `out` (the machine's serial
 * listeners) instead of the bus; the THRE interrupt is thrown only if it is not pending already.
 */
function uartThrWrite(out: (byte: number) => void): (this: any, a: number) => void {
  return function (this: any, a: number): void {
    if (this.line_control & 128) {
      this.baud_rate = (this.baud_rate & -256) | a;
      return;
    }
    if ((this.ints & 4) === 0) this.ThrowInterrupt(2);
    if (this.modem_control & 16) this.data_received(a);
    else out(a);
  };
}

interface PortEntry {
  read8: Function;
  write8: Function;
}

/**
 * Applies every patch whose target still has the verified source; returns the names applied.
 * Prototype patches are idempotent (a patched function no longer matches its verified source).
 * `serialOut` receives every byte sent on COM1 by an 8-bit write (the bus still carries the rest).
 * The patches whose function was there but not the verified one are added to `missed`.
 */
export function applyDevicePatches(cpu: V86Cpu, serialOut: (byte: number) => void, missed: PatchName[] = []): PatchName[] {
  const applied: PatchName[] = [];
  const devices = cpu.devices as { ide?: { primary?: { master?: object } }; uart0?: object };
  const ports = (cpu.io as unknown as { ports: PortEntry[] }).ports;
  const swap = (name: PatchName, owner: Record<string, unknown> | undefined, key: string, fn: Function): void => {
    if (!owner) return;
    const cur = owner[key];
    if (cur === fn) applied.push(name);
    else if (typeof cur === "function" && unwrapped(cur.toString()) === unwrapped(PATCHED_SOURCES[name])) {
      owner[key] = fn;
      applied.push(name);
    } else missed.push(name);
  };
  const ide = devices.ide?.primary?.master;
  swap("ideReadData", ide ? Object.getPrototypeOf(ide) : undefined, "read_data", ideReadData);
  swap("ideReadBuffer", ide ? Object.getPrototypeOf(ide) : undefined, "read_buffer", ideReadBuffer);
  const uart = devices.uart0;
  const uartProto = uart ? Object.getPrototypeOf(uart) : undefined;
  swap("uartWriteData", uartProto, "write_data", uartWriteData);
  swap("uartDataReceived", uartProto, "data_received", uartDataReceived);
  // The LSR and IIR readers are closures registered per port: replace the port entries.
  if (uart && ports) {
    swap("uartReadLsr", ports[COM1 + 5] as unknown as Record<string, unknown>, "read8", uartReadLsr);
    swap("uartReadIir", ports[COM1 + 2] as unknown as Record<string, unknown>, "read8", uartReadIir);
    swap("uartThrWrite", ports[COM1] as unknown as Record<string, unknown>, "write8", uartThrWrite(serialOut));
  }
  return applied;
}
