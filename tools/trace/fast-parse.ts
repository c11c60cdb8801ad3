// A fast path for the frequent trace lines (syscall, return, irq, exception, ipc, and in version 2
// switch, written exactly as docs/trace.md orders their keys): one native regular-expression match
// proves the line is valid JSON of that shape and captures its values. Any other line returns undefined and the caller uses
// JSON.parse. The object built has the same keys, order and values that JSON.parse would give for a
// version-1 line, and that JSON.parse and EventDecoder.decode would give for a version-2 line.
import { irqNameOf, syscallNameOf, vectorNameOf, type EventDecoder } from "./decode.ts";
import type { TraceEvent } from "./schema.ts";

const U = String.raw`(0|[1-9]\d*)`; // unsigned integer, as JSON allows it
const I = String.raw`(-?(?:0|[1-9]\d*))`;
const NUM = String.raw`(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)`;
const STR = String.raw`"([^"\\\x00-\x1f]*)"`;
const prefix = (kind: string) =>
  String.raw`^\{"seq":${U},"icount":${U},"vt":${NUM},"kind":"${kind}","pid":(?:${U}|null),"proc":(?:${STR}|null)`;

const SYSCALL = new RegExp(
  prefix("syscall") + String.raw`,"cpl_from":([03]),"cpl_to":0,"eip":${U},"nr":${I},"name":${STR},"args":\[${U},${U},${U},${U},${U}\]\}$`,
);
const RETURN = new RegExp(prefix("return") + String.raw`,"cpl_from":0,"cpl_to":([03]),"eip":${U}(?:,"ret":${I})?\}$`);
const IRQ = new RegExp(prefix("irq") + String.raw`,"cpl_from":([03]),"cpl_to":0,"eip":${U},"irq":${U},"name":${STR}\}$`);
const EXCEPTION = new RegExp(
  prefix("exception") +
    String.raw`,"cpl_from":([03]),"cpl_to":0,"eip":${U},"vector":${U},"name":${STR},"error_code":${U}(?:,"cr2":${U})?(?:,"insn":${STR})?\}$`,
);
const IPC = new RegExp(prefix("ipc") + String.raw`,"op":${STR},"src":(?:${U}|null),"dst":(?:${U}|null),"bytes":${U}\}$`);

const KIND_AT = '"kind":"';

/** The event on `line` if it is one of the frequent documented shapes, else undefined (use JSON.parse). */
export function fastParse(line: string): TraceEvent | undefined {
  const k = line.indexOf(KIND_AT);
  if (k < 0) return undefined;
  const c = line.charCodeAt(k + 8);
  let m: RegExpExecArray | null;
  if (c === 114 /* r */) {
    if ((m = RETURN.exec(line)) === null) return undefined;
    const ev: TraceEvent = {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "return", pid: m[4] === undefined ? null : +m[4], proc: m[5] ?? null,
      cpl_from: 0, cpl_to: +m[6], eip: +m[7],
    };
    if (m[8] !== undefined) ev.ret = +m[8];
    return ev;
  }
  if (c === 115 /* s */) {
    if ((m = SYSCALL.exec(line)) === null) return undefined;
    return {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "syscall", pid: m[4] === undefined ? null : +m[4], proc: m[5] ?? null,
      cpl_from: +m[6], cpl_to: 0, eip: +m[7], nr: +m[8], name: m[9], args: [+m[10], +m[11], +m[12], +m[13], +m[14]],
    };
  }
  if (c === 105 /* i */) {
    if (line.charCodeAt(k + 9) === 114) {
      if ((m = IRQ.exec(line)) === null) return undefined;
      return {
        seq: +m[1], icount: +m[2], vt: +m[3], kind: "irq", pid: m[4] === undefined ? null : +m[4], proc: m[5] ?? null,
        cpl_from: +m[6], cpl_to: 0, eip: +m[7], irq: +m[8], name: m[9],
      };
    }
    if ((m = IPC.exec(line)) === null) return undefined;
    return {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "ipc", pid: m[4] === undefined ? null : +m[4], proc: m[5] ?? null,
      op: m[6], src: m[7] === undefined ? null : +m[7], dst: m[8] === undefined ? null : +m[8], bytes: +m[9],
    };
  }
  if (c === 101 /* e */ && line.charCodeAt(k + 10) === 99 /* exc */) {
    if ((m = EXCEPTION.exec(line)) === null) return undefined;
    const ev: TraceEvent = {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "exception", pid: m[4] === undefined ? null : +m[4], proc: m[5] ?? null,
      cpl_from: +m[6], cpl_to: 0, eip: +m[7], vector: +m[8], name: m[9], error_code: +m[10],
    };
    if (m[11] !== undefined) ev.cr2 = +m[11];
    if (m[12] !== undefined) ev.insn = m[12];
    return ev;
  }
  return undefined;
}

// Version 2: no proc (except where a process is named), no derived names, no constant ring key.
const prefix2 = (kind: string) => String.raw`^\{"seq":${U},"icount":${U},"vt":${NUM},"kind":"${kind}","pid":(?:${U}|null)(?:,"proc":${STR})?`;
const SYSCALL2 = new RegExp(prefix2("syscall") + String.raw`,"cpl_from":([03]),"eip":${U},"nr":${I},"args":\[${U},${U},${U},${U},${U}\]\}$`);
const RETURN2 = new RegExp(prefix2("return") + String.raw`,"cpl_to":([03]),"eip":${U}(?:,"ret":${I})?\}$`);
const IRQ2 = new RegExp(prefix2("irq") + String.raw`,"cpl_from":([03]),"eip":${U},"irq":${U}\}$`);
const EXCEPTION2 = new RegExp(
  prefix2("exception") + String.raw`,"cpl_from":([03]),"eip":${U},"vector":${U},"error_code":${U}(?:,"cr2":${U})?(?:,"insn":${STR})?\}$`,
);
const SWITCH2 = new RegExp(prefix2("switch") + String.raw`,"from":(?:${U}|null)(,"to":(?:${U}|null))?,"reason":${STR}\}$`);
const IPC2 = new RegExp(prefix2("ipc") + String.raw`,"op":${STR}(,"src":(?:${U}|null))?(,"dst":(?:${U}|null))?,"bytes":${U}\}$`);

/**
 * The normalized event on version-2 `line` if it is one of the frequent documented shapes, else
 * undefined (use JSON.parse and `dec.decode`). A `proc` on the line is remembered by `dec`.
 */
export function fastParseCompact(line: string, dec: EventDecoder): TraceEvent | undefined {
  const k = line.indexOf(KIND_AT);
  if (k < 0) return undefined;
  const c = line.charCodeAt(k + 8);
  let m: RegExpExecArray | null;
  if (c === 114 /* r */) {
    if ((m = RETURN2.exec(line)) === null) return undefined;
    const pid = m[4] === undefined ? null : +m[4];
    const ev: TraceEvent = {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "return", pid, proc: dec.procFor(pid, m[5]) as string | null,
      cpl_from: 0, cpl_to: +m[6], eip: +m[7],
    };
    if (m[8] !== undefined) ev.ret = +m[8];
    return ev;
  }
  if (c === 115 /* s */) {
    if (line.charCodeAt(k + 9) === 119 /* sw */) {
      if ((m = SWITCH2.exec(line)) === null) return undefined;
      const pid = m[4] === undefined ? null : +m[4];
      // A missing "to" is the event's pid.
      return {
        seq: +m[1], icount: +m[2], vt: +m[3], kind: "switch", pid, proc: dec.procFor(pid, m[5]) as string | null,
        from: m[6] === undefined ? null : +m[6], to: m[7] === undefined ? pid : m[8] === undefined ? null : +m[8], reason: m[9],
      };
    }
    if ((m = SYSCALL2.exec(line)) === null) return undefined;
    const pid = m[4] === undefined ? null : +m[4];
    const nr = +m[8];
    return {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "syscall", pid, proc: dec.procFor(pid, m[5]) as string | null,
      cpl_from: +m[6], cpl_to: 0, eip: +m[7], nr, name: syscallNameOf(nr), args: [+m[9], +m[10], +m[11], +m[12], +m[13]],
    };
  }
  if (c === 105 /* i */) {
    if (line.charCodeAt(k + 9) === 114) {
      if ((m = IRQ2.exec(line)) === null) return undefined;
      const pid = m[4] === undefined ? null : +m[4];
      const irq = +m[8];
      return {
        seq: +m[1], icount: +m[2], vt: +m[3], kind: "irq", pid, proc: dec.procFor(pid, m[5]) as string | null,
        cpl_from: +m[6], cpl_to: 0, eip: +m[7], irq, name: irqNameOf(irq),
      };
    }
    if ((m = IPC2.exec(line)) === null) return undefined;
    const pid = m[4] === undefined ? null : +m[4];
    // A missing src or dst is the event's pid.
    return {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "ipc", pid, proc: dec.procFor(pid, m[5]) as string | null,
      op: m[6], src: m[7] === undefined ? pid : m[8] === undefined ? null : +m[8], dst: m[9] === undefined ? pid : m[10] === undefined ? null : +m[10], bytes: +m[11],
    };
  }
  if (c === 101 /* e */ && line.charCodeAt(k + 10) === 99 /* exc */) {
    if ((m = EXCEPTION2.exec(line)) === null) return undefined;
    const pid = m[4] === undefined ? null : +m[4];
    const vector = +m[8];
    const ev: TraceEvent = {
      seq: +m[1], icount: +m[2], vt: +m[3], kind: "exception", pid, proc: dec.procFor(pid, m[5]) as string | null,
      cpl_from: +m[6], cpl_to: 0, eip: +m[7], vector, name: vectorNameOf(vector), error_code: +m[9],
    };
    if (m[10] !== undefined) ev.cr2 = +m[10];
    if (m[11] !== undefined) ev.insn = m[11];
    return ev;
  }
  return undefined;
}
