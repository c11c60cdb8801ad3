// Lab markers: a lab's solution lives in the real source between markers that name the lab, with the
// text the student gets instead (docs/labs.md "Markers"). TypeScript (and JavaScript) use `//`, NASM
// `;` (same words):
//
//   // LAB syscall: BEGIN
//   …solution…
//   // LAB syscall: HANDOUT
//   // …what the student gets, each line behind the comment prefix…
//   // LAB syscall: END
//
// Cutting a lab replaces its regions by their HANDOUT text (the prefix taken off); keeping a lab drops
// the marker lines and the HANDOUT text and leaves the solution as it is.

/** One marked region of a file. */
export interface Region {
  lab: string;
  /** 1-based line numbers of the BEGIN, HANDOUT and END marker lines. */
  begin: number;
  handout: number;
  end: number;
}

export class MarkerError extends Error {}

const MARKER = /^(\s*)(\/\/|;|#)\s*LAB ([a-z][a-z0-9-]*): (BEGIN|HANDOUT|END)\s*$/;

/** The comment prefix of a file's lines, by extension (undefined: the file is never scanned). */
export function commentPrefix(file: string): string | undefined {
  if (/\.(ts|js|mjs|cjs)$/.test(file)) return "//";
  if (/\.(asm|inc|s)$/i.test(file)) return ";";
  if (/(^|\/)manifest(\.[a-z0-9-]+)?$/.test(file)) return "#"; // a boot manifest (or a lab's fragment of one)
  return undefined;
}

/** The regions in `text`; throws MarkerError (with file:line) on a malformed nesting. */
export function findRegions(file: string, text: string): Region[] {
  const lines = text.split("\n");
  const out: Region[] = [];
  let open: { lab: string; begin: number; handout: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]!);
    if (!m) continue;
    const [, , , lab, what] = m;
    const where = `${file}:${i + 1}`;
    if (what === "BEGIN") {
      if (open) throw new MarkerError(`${where}: LAB ${lab}: BEGIN inside the region of lab ${open.lab} (opened at line ${open.begin})`);
      open = { lab: lab!, begin: i + 1, handout: 0 };
    } else if (!open || open.lab !== lab) {
      throw new MarkerError(`${where}: LAB ${lab}: ${what} without a BEGIN of lab ${lab}`);
    } else if (what === "HANDOUT") {
      if (open.handout) throw new MarkerError(`${where}: a second HANDOUT in the region of lab ${lab}`);
      open.handout = i + 1;
    } else {
      if (!open.handout) throw new MarkerError(`${where}: the region of lab ${lab} (line ${open.begin}) has no HANDOUT part`);
      out.push({ ...open, end: i + 1 });
      open = undefined;
    }
  }
  if (open) throw new MarkerError(`${file}:${open.begin}: the region of lab ${open.lab} has no END`);
  return out;
}

/** Takes the comment prefix off one HANDOUT line ("  // x" → "  x"; "  //" → ""). */
function uncomment(file: string, line: string, prefix: string): string {
  const m = /^(\s*)(\S+)( ?)(.*)$/.exec(line);
  if (!m || m[2]!.slice(0, prefix.length) !== prefix) throw new MarkerError(`${file}: a HANDOUT line must start with ${prefix}: ${line.trim()}`);
  const after = m[2]!.slice(prefix.length);
  const rest = after ? after + m[3] + m[4] : m[4]!;
  return rest.length ? m[1] + rest : "";
}

/**
 * The text with the regions of the labs in `cut` replaced by their handout text, and every other
 * lab's markers (and handout text) removed so that its solution stays as plain code.
 */
export function applyLabs(file: string, text: string, cut: ReadonlySet<string>): string {
  const regions = findRegions(file, text);
  if (!regions.length) return text;
  const prefix = commentPrefix(file) ?? "//";
  const lines = text.split("\n");
  const out: string[] = [];
  let next = 0;
  for (const r of regions) {
    out.push(...lines.slice(next, r.begin - 1));
    if (cut.has(r.lab)) {
      for (const l of lines.slice(r.handout, r.end - 1)) out.push(uncomment(file, l, prefix));
    } else {
      out.push(...lines.slice(r.begin, r.handout - 1));
    }
    next = r.end;
  }
  out.push(...lines.slice(next));
  return out.join("\n");
}
