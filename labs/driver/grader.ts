// The grader of the `driver` lab (labs/driver/README.md): `npx ringside lab grade driver`.
// Runs run the student's rtc server (servers/rtc.asm) as a ring-3 server declared by the student's
// manifest line (labs/driver/manifest), added to the built-in image's servers. Checks read the trace
// (irq, ipc, syscall, exit events) and the output of the lab's own programs; the expected date comes
// from the emulator's deterministic RTC (emulator/rtc-clock.ts: 2026-01-01 00:00:00 UTC + virtual time).
import { readFileSync } from "node:fs";
import path from "node:path";
import { defineLab, type Run, type TestContext } from "../../tools/lab/grade-lib.ts";
import { parseManifest } from "../../kernel/manifest.ts";
import { rtcDateAt } from "../../emulator/rtc-clock.ts";
import { ROOT } from "../../tools/paths.ts";
import type { TraceEvent } from "../../tools/trace/schema.ts";

const BUDGET = 400_000_000;
const MANIFEST = "labs/driver/manifest";

/** "YYYY-MM-DD HH:MM:SS" of the RTC at event `e`. */
const dateAt = (e: TraceEvent) => rtcDateAt(e.vt / 1000).toISOString().slice(0, 19).replace("T", " ");

async function withRtc(t: TestContext, program: string): Promise<Run> {
  return t.run({ programs: [program], modules: ["servers/rtc.asm"], manifest: MANIFEST, budget: BUDGET });
}

let rtcioRun: Promise<Run> | undefined;
const rtcio = (t: TestContext) => (rtcioRun ??= withRtc(t, t.labFile("tests/rtcio.asm")));

/** The ports the ranges grant, as merged ranges ("0x70-0x71" however the line spells them: 0x70,0x71 too). */
function portRanges(ranges: readonly (readonly [number, number])[]): string {
  const merged: [number, number][] = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = merged.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged.map(([a, b]) => (a === b ? `0x${a.toString(16)}` : `0x${a.toString(16)}-0x${b.toString(16)}`)).join(",");
}

/** The pid of the rtc server (its spawn event). */
function rtcPid(r: Run): number {
  return r.expectEvent({ kind: "spawn", proc: "rtc" }, "the rtc server is started").pid!;
}

/** The date the RTC shows at a read call (entry or return: the second may tick between them). */
function expectDate(r: Run, got: string, call: { entry: TraceEvent; ret: TraceEvent | undefined }, why: string): void {
  const want = [dateAt(call.entry), call.ret ? dateAt(call.ret) : dateAt(call.entry)];
  if (!want.includes(got)) r.fail(why, { expected: `${JSON.stringify(want[0])} (the deterministic RTC at virtual ${(call.entry.vt / 1000).toFixed(3)} ms)`, actual: JSON.stringify(got), at: call.entry.seq });
}

export default defineLab({
  name: "driver",
  title: "A device driver in ring 3: the CMOS real-time clock",
  edits: ["servers/rtc.asm", "servers/apps/date.asm", "labs/driver/manifest"],
  typicalSeconds: 4,
  tests: [
    {
      name: "privileges",
      title: "the manifest gives rtc exactly IRQ 8 and ports 0x70-0x71 and makes it a device; any other process touching them gets #GP",
      points: 4,
      async run(t) {
        const r = await withRtc(t, t.labFile("tests/poke.asm"));
        r.expectKilled("poke", 13, "poke (an ordinary program) reads port 0x71");
        const m = parseManifest(`${readFileSync(path.join(ROOT, MANIFEST), "utf8")}\ninit init /boot/init\nshell sh /bin/sh\n`, MANIFEST);
        const s = m.servers.find((x) => x.name === "rtc");
        if (!s) return r.fail(`${MANIFEST} declares a server named rtc`, { expected: "a line `server rtc /boot/rtc …`", actual: m.servers.map((x) => x.name).join(", ") || "no server" });
        const got = `irq=${s.irqs.join(",")} ports=${portRanges(s.ports)} send=${s.send.join(",")} dev=${s.device ? "yes" : "no"}${s.supervisor ? " supervise=yes" : ""}${s.kill ? " kill=yes" : ""}`;
        if (got !== "irq=8 ports=0x70-0x71 send= dev=yes") r.fail(`the privileges of rtc in ${MANIFEST}`, { expected: "irq=8 ports=0x70-0x71 send= dev=yes (nothing more)", actual: got });
      },
    },
    {
      name: "irq8",
      title: "IRQ 8 arrives at rtc as a notification and is acknowledged (irq_ack(8)) before the next one; two in 1.5 s",
      points: 5,
      async run(t) {
        const r = await rtcio(t);
        const pid = rtcPid(r);
        const irqs = r.all({ kind: "irq", where: (e) => e.irq === 8 });
        if (irqs.length < 2) return r.fail("IRQ 8 (the update-ended interrupt, once a virtual second) fires", { expected: "at least 2 IRQ 8 events in 1.5 s", actual: `${irqs.length}`, at: r.events.length - 1 });
        irqs.forEach((irq, i) => {
          const next = irqs[i + 1]?.seq ?? r.events.length;
          const note = r.find({ kind: "ipc", op: "notify", dst: pid, where: (e) => e.seq < next }, irq.seq);
          if (!note) r.fail(`IRQ 8 number ${i + 1} becomes a notification to rtc (pid ${pid})`, { expected: "an ipc notify event to rtc", actual: "none before the next IRQ 8", at: irq.seq });
          const ack = r.syscalls("irq_ack", "rtc").find((c) => c.entry.seq > irq.seq && c.entry.seq < next);
          if (!ack) return r.fail(`rtc acknowledges IRQ 8 number ${i + 1}`, { expected: "irq_ack(8) by rtc before the next IRQ 8", actual: "none", at: irq.seq });
          if (ack.entry.args?.[0] !== 8 || ack.value !== 0) r.fail("rtc's irq_ack", { expected: "irq_ack(8) = 0", actual: `irq_ack(${ack.entry.args?.[0]}) = ${ack.value! | 0}`, at: ack.entry.seq });
        });
      },
    },
    {
      name: "date",
      title: "date prints the RTC's date and time (deterministic: 2026-01-01 00:00:00 UTC + virtual time) and exits 0",
      points: 6,
      async run(t) {
        const r = await withRtc(t, "servers/apps/date.asm");
        r.expectStatus(0);
        const read = r.expectSyscall("read", { proc: "date", ret: 20 }, "date reads 20 bytes from /dev/rtc");
        if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/.test(r.stdout)) return r.fail("date's output", { expected: 'one line "YYYY-MM-DD HH:MM:SS"', actual: JSON.stringify(r.stdout), at: read.entry.seq });
        expectDate(r, r.stdout.slice(0, 19), read, "date's output");
      },
    },
    {
      name: "dev-read",
      title: "a read of /dev/rtc is cut to the count asked (4 bytes: the year) and a later read shows the time moved on",
      points: 4,
      async run(t) {
        const r = await rtcio(t);
        r.expectStatus(0, "rtcio opens and reads /dev/rtc (exit 0)");
        const pid = rtcPid(r);
        r.expectEvent({ kind: "ipc", op: "reply", src: pid, where: (e) => e.bytes === 4 }, "rtc replies 4 bytes to a read of 4");
        const second = r.expectSyscall("read", { proc: "rtcio", nth: 1, ret: 20 }, "the second read (64 bytes wanted) gets the 20-byte line");
        const lines = r.stdout.split("\n");
        if (lines[0] !== dateAt(second.entry).slice(0, 4)) r.fail("the first read: 4 bytes", { expected: JSON.stringify(dateAt(second.entry).slice(0, 4)), actual: JSON.stringify(lines[0]) });
        expectDate(r, lines[1] ?? "", second, "the second read, after sleeping 1.5 s");
      },
    },
    {
      name: "skeleton",
      title: "rtc runs the standard server loop (server_loop, ipc_reply_recv) and refuses a write with -EPERM",
      points: 3,
      async run(t) {
        const r = await rtcio(t);
        const load = r.expectEvent({ kind: "load", proc: "rtc" }, "rtc's load event");
        if (!load.symbols?.some((s) => s.name === "server_loop")) r.fail("rtc includes servers/lib/server.inc and jumps to server_loop", { expected: "a symbol server_loop", actual: "none", at: load.seq });
        r.expectCount({ kind: "syscall", proc: "rtc", name: "ipc_reply_recv" }, { min: 3 }, "rtc takes requests with ipc_reply_recv");
        r.expectSyscall("write", { proc: "rtcio", nth: 2, ret: -1 }, "write(/dev/rtc, 1 byte) = -EPERM");
      },
    },
  ],
});
