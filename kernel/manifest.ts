// The boot manifest (/boot/manifest): which servers exist, the program each runs, and the
// privileges each gets — the IRQs it owns, the I/O ports it may use, the servers it may send to.
// Format and semantics: docs/microkernel.md.

/** One `server` line. */
export interface ServerPrivileges {
  name: string;
  program: string;
  irqs: number[];
  /** Inclusive port ranges [first, last]. */
  ports: [number, number][];
  /** Names of the servers it may send to. */
  send: string[];
  /** Programs may open it as /dev/<name> (`dev=yes`): reads and writes become DEV_READ / DEV_WRITE requests. */
  device: boolean;
  /**
   * The reincarnation server (`supervise=yes`, at most one): it is notified (NOTIFY.SERVER) when any
   * other server ends, may start servers again, may kill them, and may notify any server (and any
   * server may notify it) without a send right.
   */
  supervisor: boolean;
  /** May signal init and servers and set any nice value (`kill=yes`; the supervisor always may). */
  kill?: boolean;
  /** The restart policy the supervisor applies (`restart=<max>/<window ms>`; null: never restarted). */
  restart: { max: number; windowMs: number } | null;
  /** Virtual ms the supervisor waits before a restart, doubled for each restart in the window (`backoff=`). */
  backoffMs: number;
  /** Virtual ms within which the server must answer the supervisor's ping (`heartbeat=`; 0: no heartbeat). */
  heartbeatMs: number;
}

export interface Manifest {
  servers: ServerPrivileges[];
  init: { name: string; program: string };
  /**
   * `kill=yes` on the shell line: the shell and every program started from it (its descendants) may
   * signal init and servers and set nice values below 0 — the session operator's right.
   */
  shell: { name: string; program: string; kill?: boolean };
}

export class ManifestError extends Error {}

/** Ports no server may be granted: the kernel's own (a server with the hypercall port could forge kernel entries). */
export const KERNEL_PORTS: readonly [number, number, string][] = [
  [0x20, 0x21, "the master PIC"],
  [0x40, 0x43, "the PIT"],
  [0xa0, 0xa1, "the slave PIC"],
  [0x555, 0x558, "the hypercall port"],
];

const NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** Parses manifest text; throws ManifestError naming the line and what is wrong. */
export function parseManifest(text: string, file = "/boot/manifest"): Manifest {
  const servers: ServerPrivileges[] = [];
  let init: Manifest["init"] | undefined;
  let shell: Manifest["shell"] | undefined;
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const fail = (msg: string): never => {
      throw new ManifestError(`${file}:${i + 1}: ${msg}`);
    };
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const [keyword, name, program, ...rest] = line.split(/\s+/);
    if (!name || !program) fail(`expected "<server|init|shell> <name> <program> …", got "${line}"`);
    if (!NAME.test(name!)) fail(`bad name "${name}" (1–15 letters, digits, _ . -)`);
    if (!program!.startsWith("/")) fail(`the program must be an absolute path in the image, got "${program}"`);
    if (keyword === "init" || keyword === "shell") {
      let kill = false;
      for (const item of rest) {
        if (keyword === "shell" && (item === "kill=yes" || item === "kill=no")) kill = item === "kill=yes";
        else fail(keyword === "init" ? "init takes no privileges" : `the shell takes only kill=yes|no, got "${item}"`);
      }
      if (keyword === "init") init ? fail("a second init line") : (init = { name: name!, program: program! });
      else shell ? fail("a second shell line") : (shell = { name: name!, program: program!, ...(kill ? { kill } : {}) });
      return;
    }
    if (keyword !== "server") fail(`unknown keyword "${keyword}" (expected server, init or shell)`);
    if (servers.some((s) => s.name === name)) fail(`server "${name}" is declared twice`);
    const s: ServerPrivileges = { name: name!, program: program!, irqs: [], ports: [], send: [], device: false, supervisor: false, restart: null, backoffMs: 0, heartbeatMs: 0 };
    for (const item of rest) {
      const eq = item.indexOf("=");
      const key = item.slice(0, eq), value = item.slice(eq + 1);
      if (eq < 0 || !value) fail(`expected key=value, got "${item}"`);
      for (const v of value.split(",")) {
        if (key === "irq") {
          const n = parseNumber(v);
          if (n === undefined || n < 0 || n > 15 || n === 0 || n === 2) fail(`bad irq "${v}" (1, 3–15; 0 is the kernel's timer, 2 the cascade)`);
          if (servers.some((o) => o.irqs.includes(n!)) || s.irqs.includes(n!)) fail(`irq ${n} is owned twice`);
          s.irqs.push(n!);
        } else if (key === "ports") {
          const [a, b] = v.split("-");
          const lo = parseNumber(a!), hi = b === undefined ? lo : parseNumber(b);
          if (lo === undefined || hi === undefined || lo > hi || hi > 0xffff) fail(`bad port range "${v}"`);
          const owned = KERNEL_PORTS.find(([a, b]) => lo! <= b && a <= hi!);
          if (owned) fail(`ports "${v}" include ${owned[2]} (0x${owned[0].toString(16)}-0x${owned[1].toString(16)}), which the kernel keeps`);
          s.ports.push([lo!, hi!]);
        } else if (key === "send") {
          if (!NAME.test(v)) fail(`bad server name "${v}" in send=`);
          s.send.push(v);
        } else if (key === "dev" || key === "supervise" || key === "kill") {
          if (v !== "yes" && v !== "no") fail(`bad ${key} "${v}" (yes or no)`);
          if (key === "dev") s.device = v === "yes";
          else if (key === "kill") s.kill = v === "yes";
          else s.supervisor = v === "yes";
        } else if (key === "restart") {
          const m = /^(\d+)\/(\d+)$/.exec(v);
          if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) fail(`bad restart "${v}" (<max restarts>/<window in ms>, e.g. 5/10000)`);
          s.restart = { max: Number(m![1]), windowMs: Number(m![2]) };
        } else if (key === "backoff" || key === "heartbeat") {
          const n = /^\d+$/.test(v) ? Number(v) : NaN;
          if (!(n >= 0 && n <= 3_600_000)) fail(`bad ${key} "${v}" (virtual ms, 0 to 3600000)`);
          if (key === "backoff") s.backoffMs = n;
          else s.heartbeatMs = n;
        } else fail(`unknown privilege "${key}" (irq, ports, send, dev, supervise, kill, restart, backoff, heartbeat)`);
      }
    }
    servers.push(s);
  });
  if (servers.filter((x) => x.supervisor).length > 1) throw new ManifestError(`${file}: more than one server has supervise=yes`);
  if (!init) throw new ManifestError(`${file}: no init line`);
  if (!shell) throw new ManifestError(`${file}: no shell line`);
  for (const s of servers) for (const d of s.send) if (!servers.some((o) => o.name === d)) throw new ManifestError(`${file}: server "${s.name}" may send to "${d}", which is not declared`);
  return { servers, init, shell };
}

function parseNumber(s: string): number | undefined {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) return undefined;
  return Number(s);
}
