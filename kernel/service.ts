// The services seam: what an in-kernel (monolithic-mode) service is, and what the kernel gives it.
// A service name ("console", "keyboard", "disk", "fs", any manifest server) resolves to a target:
// a ring-3 server process reached by IPC (microkernel mode), or an object implementing
// `KernelService` that the kernel calls directly (monolithic mode). Both speak the same message
// protocol (kernel/protocol.ts): three request words and a payload in, three reply words and a
// payload out. This file is a leaf: it holds only the contract, so drivers and tests can import it
// on its own.

/** Port I/O on the machine's devices (UART, PS/2 controller, IDE, CMOS, PIT). */
export interface PortBus {
  inb(port: number): number;
  outb(port: number, value: number): void;
  inw(port: number): number;
  outw(port: number, value: number): void;
  inl(port: number): number;
  outl(port: number, value: number): void;
}

/** A whole-sector block device (the disk, seen by the in-kernel file system). */
export interface BlockDevice {
  /** Number of 512-byte sectors. */
  readonly sectors: number;
  /** Reads `count` sectors from `lba` into `into` (count × 512 bytes); false on a device error. */
  read(lba: number, count: number, into: Uint8Array): boolean;
  /** Writes `data` (a multiple of 512 bytes) at sector `lba`; false on a device error. */
  write(lba: number, data: Uint8Array): boolean;
}

/** One request to a service. `payload` is a kernel copy, valid only during the `request` call. */
export interface ServiceRequest {
  /** The pid the request is made for (a program whose POSIX call this is, or a sending process). */
  readonly client: number;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly payload: Uint8Array;
  /** The most reply-payload bytes the client can take (a longer reply payload is cut). */
  readonly replyCap: number;
}

/** A service's answer. `payload` may be a view into the service's own memory: it is copied at once. */
export interface ServiceReply {
  w0: number;
  w1: number;
  w2: number;
  payload: Uint8Array | null;
}

/** What the kernel gives an in-kernel service when it starts. */
export interface ServiceEnv {
  readonly ports: PortBus;
  /**
   * Answers a request the service deferred (its `request` returned null), identified by the
   * client's pid. Returns false if the client no longer waits (it ended): the reply is dropped.
   */
  reply(client: number, reply: ServiceReply): boolean;
  /** Another in-kernel service, by name (in-kernel services call each other directly). */
  service(name: string): KernelService | undefined;
  /** The line was handled: unmask it at the PIC (the kernel masks a line when it delivers it). */
  irqAck(irq: number): void;
  /** Virtual time in ms. */
  nowMs(): number;
  /**
   * A terminal signal typed on the console (Ctrl-C: SIGINT = 2) goes to the foreground process group
   * (set by tcsetpgrp); returns how many processes it reached (0: no foreground group). The in-kernel
   * counterpart of the `signal_fg` call a ring-3 console server makes.
   */
  signalForeground?(sig: number): number;
}

/**
 * An in-kernel service. The kernel calls `start` once (at the point where its ring-3 counterpart
 * would have been started), `request` for every message addressed to it, and `interrupt` for every
 * IRQ on one of its `irqs` (the line is masked until the service calls `env.irqAck`).
 */
export interface KernelService {
  readonly name: string;
  readonly irqs: readonly number[];
  start(env: ServiceEnv): void;
  /** Serves one request: the reply now, or null to answer later with `env.reply(req.client, …)`. */
  request(req: ServiceRequest): ServiceReply | null;
  interrupt(irq: number): void;
  /** The client of a deferred request ended: forget it. */
  cancel?(client: number): void;
  /** A block device view, for services that are disks. */
  readonly blockDevice?: BlockDevice;
}

/** Makes a ServiceReply (a convenience for services). */
export function reply(w0: number, w1 = 0, w2 = 0, payload: Uint8Array | null = null): ServiceReply {
  return { w0, w1, w2, payload };
}
