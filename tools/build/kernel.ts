// Puts a kernel together on the host: the ring-0 stub (assembled here, below the kernel's own
// imports) and a fresh set of in-kernel services — console and keyboard always, disk and file system
// when there is a disk. Whether each service runs in the kernel or as a ring-3 server is the
// kernel's mode (KernelOptions.mode).
import { Kernel, type KernelOptions } from "../../kernel/kernel.ts";
import { ConsoleService } from "../../kernel/drivers/console.ts";
import { DiskService } from "../../kernel/drivers/disk.ts";
import { KeyboardService } from "../../kernel/drivers/keyboard.ts";
import { FsService } from "../../kernel/fs/fs-service.ts";
import type { KernelService } from "../../kernel/service.ts";
import type { StubImage } from "../../kernel/stub-image.ts";
import { buildStub } from "./stub.ts";

export interface CreateKernelOptions extends Omit<KernelOptions, "stub" | "services"> {
  /** A prebuilt stub (default: assemble boot/stub.asm, cached per process). */
  stub?: StubImage;
  /** Assemble the stub with the benchmark-only vectors 0x81 (iret at once) and 0x82 (reload CR3, iret). */
  benchVector?: boolean;
}

/** The in-kernel services for a machine with (or without) a disk, freshly constructed. */
export function inKernelServices(withDisk: boolean): KernelService[] {
  const services: KernelService[] = [new ConsoleService(), new KeyboardService()];
  if (withDisk) services.push(new DiskService(), new FsService());
  return services;
}

/** Builds the stub and the in-kernel services, then the kernel (nothing runs until `run()`). */
export async function createKernel(opts: CreateKernelOptions): Promise<Kernel> {
  const { benchVector, stub, ...rest } = opts;
  return Kernel.create({ ...rest, stub: stub ?? (await buildStub({ benchVector })), services: inKernelServices(opts.hda !== undefined) });
}
