// The kernel under a hostile program (the red-team hardening issue, kernel-side items): each test
// fails without its fix. Programs are assembled from the source strings below.
import { describe, expect, it } from "vitest";
import { createKernel } from "../tools/build/kernel.ts";
import { assembleProgram } from "../tools/cli/program.ts";
import { parseManifest, ManifestError, type Manifest } from "../kernel/manifest.ts";
import { image } from "./helpers/kernel.ts";

/** Assembles NASM source (ringside.inc available) to an ELF image. */
function asm(name: string, src: string): Promise<Uint8Array> {
  return assembleProgram(`/tmp/${name}.asm`, `%include "ringside.inc"\nsection .text\nglobal _start\n${src}`);
}

/** Prints `text` then exits 0 (NASM lines). */
const sayAndExit = (label: string) => `
    mov eax, SYS_write
    mov ebx, 1
    mov ecx, ${label}
    mov edx, ${label}_len
    int 0x80
    mov eax, SYS_exit
    xor ebx, ebx
    int 0x80`;

interface Run { out: string; reports: string[]; status: number; reason: string; detail?: string }

/** Runs programs (name → image) as boot programs, optionally under a manifest with init = the first. */
async function run(programs: { name: string; image: Uint8Array; argv?: string[] }[], extra: Record<string, unknown> = {}): Promise<Run> {
  let out = "";
  const reports: string[] = [];
  const kernel = await createKernel({ programs, onConsole: (b) => (out += String.fromCharCode(b)), onReport: (l) => reports.push(l), maxInstructions: 50_000_000, ...extra });
  const r = await kernel.run();
  kernel.destroy();
  return { out, reports, status: r.status, reason: r.reason, detail: (r as { detail?: string }).detail };
}

describe("item 1: the hypercall and the kernel's ports", () => {
  it("the manifest refuses the hypercall, PIC and PIT ports, naming the line", () => {
    const base = "init i /init\nshell sh /bin/sh\n";
    for (const ports of ["0x555", "0x550-0x560", "0x20", "0x21", "0xa0-0xa1", "0x40-0x43", "0x43", "0x10-0x30"]) {
      expect(() => parseManifest(`server x /x ports=${ports}\n${base}`)).toThrow(ManifestError);
      expect(() => parseManifest(`server x /x ports=${ports}\n${base}`)).toThrow(/^\/boot\/manifest:1: ports .* which the kernel keeps/);
    }
    expect(parseManifest(`server x /x ports=0x3f8-0x3ff,0x60,0x64,0x1f0-0x1f7\n${base}`).servers[0]!.ports).toHaveLength(4);
  });

  it("an out to the hypercall port from ring 3, even with the port granted, does nothing", async () => {
    const evil = await asm("evil", `
_start:
    mov dx, 0x555
    mov eax, 0x1000
    out dx, eax
    xor eax, eax
    out dx, eax
${sayAndExit("msg")}
section .data
msg db "still here", 10
msg_len equ $ - msg
`);
    // A manifest object the parser would refuse: the mechanism itself must hold.
    const manifest: Manifest = {
      servers: [{ name: "evil", program: "/evil", irqs: [], ports: [[0x555, 0x558]], send: [], device: false, supervisor: false, restart: null, backoffMs: 0, heartbeatMs: 0 }],
      init: { name: "ipcinit", program: "/init" },
      shell: { name: "sh", program: "/bin/sh" },
    };
    const r = await run([{ name: "ipcinit", image: await image("ipcinit"), argv: ["ipcinit", "evil", "--", "/bin/sh"] }], {
      modules: [{ name: "evil", image: evil }],
      manifest,
    });
    expect(r.reason, r.detail).not.toBe("panic");
    expect(r.out).toContain("still here");
    expect(r.status).toBe(0);
  });
});
