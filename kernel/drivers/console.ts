// console: the in-kernel (monolithic-mode) console service — servers/console.asm in TypeScript.
// Drives the 16550 UART on COM1 (ports 0x3f8–0x3ff, IRQ 4) and runs the terminal line discipline
// (line-discipline.ts) for everything typed on the serial line or on the keyboard.
//
// start: programs COM1 (115200 8N1, FIFOs, DTR/RTS/OUT2, receive-data interrupt only), drains bytes
//   that arrived before, then irqAck(4) (the first ack enables the line).
// interrupt(4): reads RBR while LSR.DR is set, runs the discipline on each byte, then irqAck(4).
// request:
//   CON_WRITE  the payload goes out through THR byte by byte; reply w0 = bytes
//   CON_READ   w1 = count: 0 is answered 0 at once; NREADERS already waiting → -EAGAIN; else the
//              reader joins the FIFO and the FIFO is served: the reply (w0 = bytes, payload = the
//              line or its first `count` bytes; 0 = end of input) is returned at once if input was
//              there, else the request is deferred (null) and answered with env.reply when a line
//              completes
//   CON_INPUT  w1 = a typed character (from the keyboard service): runs the discipline on its low
//              byte. The ring-3 server never replies to it (it comes by ipc_send); this service
//              returns a reply (w0 = 0) that the kernel drops for a one-way send
//   CON_TCGETS reply w0 = the discipline's c_lflag (ISIG 0x1, ICANON 0x2, ECHO 0x8)
//   CON_TCSETS w1 = the new c_lflag (other bits dropped), w2 = 1: discard typed input not yet read
//              (TCSETSF); reply w0 = 0
//   other      -ENOSYS
// Ctrl-C (with ISIG) asks the kernel to send SIGINT to the foreground process group.
// Output: a byte waits for LSR.THRE like the ring-3 server's, but with the FIFOs on (FCR 0xc7) one
// THRE covers a burst of UART_FIFO bytes, and the wait is bounded (after THRE_POLLS polls the byte
// is sent anyway: on v86 THRE is always set). The bytes reach the host exactly as the server's do.
import { MSG } from "../protocol.ts";
import { E } from "../names.ts";
import { reply, type KernelService, type PortBus, type ServiceEnv, type ServiceReply, type ServiceRequest } from "../service.ts";
import { LineDiscipline, READ_QUEUED, READY_MAX } from "./line-discipline.ts";
/** Console requests for the terminal modes (console.asm's numbers; docs/microkernel.md). */
export const CON_TCGETS = MSG.CON_TCGETS;
export const CON_TCSETS = MSG.CON_TCSETS;
/** The first serial port's I/O base (ports COM1 … COM1+7). */
export const COM1 = 0x3f8;

const UART_RBR = COM1 + 0; // receive buffer (read), transmit holding (write), divisor low (DLAB)
const UART_IER = COM1 + 1; // interrupt enable, divisor high (DLAB)
const UART_FCR = COM1 + 2; // FIFO control (write)
const UART_LCR = COM1 + 3; // line control
const UART_MCR = COM1 + 4; // modem control
const UART_LSR = COM1 + 5; // line status
const LSR_DR = 0x01; // a received byte is waiting
const LSR_THRE = 0x20; // the transmit holding register (and FIFO) is empty
const CON_IRQ = 4;
/** Bytes the 16550's transmit FIFO takes after one THRE. */
const UART_FIFO = 16;
/** LSR polls before a byte is sent without THRE. */
const THRE_POLLS = 100_000;
/** Most received bytes drained in one pass (a UART that never clears DR cannot hang the kernel). */
const DRAIN_MAX = 65_536;

/** The console service: UART + line discipline, speaking the MSG.CON_* protocol. */
export class ConsoleService implements KernelService {
  readonly name = "console";
  readonly irqs: readonly number[] = [CON_IRQ];
  /** The line discipline (exposed for tests and inspection). */
  readonly discipline: LineDiscipline;
  private env: ServiceEnv | undefined;
  private ports: PortBus | undefined;
  /** Bytes that may still go into the transmit FIFO before THRE must be seen again. */
  private fifoRoom = 0;
  /** The client of the CON_READ being handled (-1: none), and its reply if it was served at once. */
  private current = -1;
  private currentReply: ServiceReply | null = null;
  /** The immediate reply's payload (the discipline's queue moves on once the line is consumed). */
  private readonly readBuf = new Uint8Array(READY_MAX);

  constructor() {
    this.discipline = new LineDiscipline(
      (byte) => this.putc(byte),
      (reader, data) => this.deliver(reader, data),
      () => this.interruptForeground(),
    );
  }

  /** Ctrl-C: SIGINT for the foreground process group (the kernel's call; nothing if it has none). */
  private interruptForeground(): void {
    this.env?.signalForeground?.(2); // SIGINT (ServiceEnv.signalForeground; ring 3: the signal_fg call)
  }

  /** Programs the UART, takes what it already holds, and enables IRQ 4. */
  start(env: ServiceEnv): void {
    this.env = env;
    this.ports = env.ports;
    this.uartInit();
    this.drain();
    env.irqAck(CON_IRQ);
  }

  /** Serves one MSG.CON_* request (see the header); null = the read waits for a line. */
  request(req: ServiceRequest): ServiceReply | null {
    switch (req.w0) {
      case MSG.CON_WRITE: {
        const p = req.payload;
        for (let i = 0; i < p.length; i++) this.putc(p[i]!);
        return reply(p.length);
      }
      case MSG.CON_READ: {
        this.current = req.client;
        this.currentReply = null;
        const r = this.discipline.read(req.client, req.w1);
        const served = this.currentReply;
        this.current = -1;
        this.currentReply = null;
        return r === READ_QUEUED ? served : reply(r);
      }
      case MSG.CON_INPUT:
        this.discipline.input(req.w1 & 0xff);
        return reply(0);
      case CON_TCGETS:
        return reply(this.discipline.lflag);
      case CON_TCSETS:
        this.discipline.setMode(req.w1);
        if (req.w2 === 1) this.discipline.flushInput();
        return reply(0);
      default:
        return reply(-E.NOSYS);
    }
  }

  /** IRQ 4: runs the discipline on every received byte, then unmasks the line. */
  interrupt(irq: number): void {
    if (irq !== CON_IRQ) return;
    this.drain();
    this.env?.irqAck(CON_IRQ);
  }

  /** A waiting reader ended: it is forgotten (typed input stays for the next reader). */
  cancel(client: number): void {
    this.discipline.cancel(client);
  }

  /** COM1: 115200 baud 8N1, FIFOs on and cleared, DTR/RTS/OUT2, receive-data interrupt only. */
  private uartInit(): void {
    const p = this.ports!;
    p.outb(UART_IER, 0x00); // no interrupts while programming
    p.outb(UART_LCR, 0x80); // DLAB: the next two registers are the divisor
    p.outb(UART_RBR, 0x01); // divisor 1 = 115200 baud
    p.outb(UART_IER, 0x00);
    p.outb(UART_LCR, 0x03); // 8 data bits, no parity, 1 stop bit, DLAB off
    p.outb(UART_FCR, 0xc7); // enable and clear both FIFOs, 14-byte trigger
    p.outb(UART_MCR, 0x0b); // DTR, RTS, OUT2
    p.outb(UART_IER, 0x01); // receive-data-available interrupt only
    this.fifoRoom = 0;
  }

  /** Reads and processes every byte the UART holds (while LSR.DR; at most DRAIN_MAX). */
  private drain(): void {
    const p = this.ports!;
    for (let n = 0; n < DRAIN_MAX && (p.inb(UART_LSR) & LSR_DR) !== 0; n++) this.discipline.input(p.inb(UART_RBR));
  }

  /** Sends one byte through THR, after THRE when the FIFO may be full. Allocates nothing. */
  private putc(byte: number): void {
    const p = this.ports!;
    if (this.fifoRoom === 0) {
      for (let n = 0; n < THRE_POLLS && (p.inb(UART_LSR) & LSR_THRE) === 0; n++);
      this.fifoRoom = UART_FIFO;
    }
    p.outb(UART_RBR, byte);
    this.fifoRoom--;
  }

  /** Hands a line (or end of input) to a reader: the current CON_READ's reply, or a deferred reply. */
  private deliver(reader: number, data: Uint8Array): boolean {
    if (reader === this.current) {
      this.readBuf.set(data);
      this.currentReply = reply(data.length, 0, 0, this.readBuf.subarray(0, data.length));
      return true;
    }
    return this.env !== undefined && this.env.reply(reader, reply(data.length, 0, 0, data));
  }
}
