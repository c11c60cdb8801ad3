// Synthetic traces for the trace-tool tests: the generator lives in tools/trace/synth.ts (the bench and
// the docs use it too); these helpers write traces and hand-made lines into a temporary directory.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthLines, writeSynthTrace, type SynthOptions } from "../../tools/trace/synth.ts";

export { synthLines, writeSynthTrace, type SynthOptions };

/** A fresh temporary directory for one test file. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "ringside-trace-test-"));
}

/** The lines of a synthetic trace (header first). */
export function synth(opts: SynthOptions = {}): string[] {
  return [...synthLines(opts)];
}

/** Writes `lines` as a trace file (each terminated by "\n" unless `unterminated`) and returns its path. */
export function writeTrace(dir: string, name: string, lines: string[], unterminated = false): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + (unterminated || lines.length === 0 ? "" : "\n"));
  return path;
}

export const HEADER = '{"trace":"ringside","version":1,"ipms":100000,"mode":"monolithic","tool":"ringside 0.1.0"}';

/** A small hand-written trace following docs/trace.md exactly, covering every v1 kind. */
export function handTrace(): string[] {
  const syms = '[{"name":"_start","addr":4198400},{"name":"main","addr":4198416},{"name":"read_line","addr":4198928}]';
  return [
    HEADER,
    '{"seq":0,"icount":0,"vt":0,"kind":"spawn","pid":1,"proc":"sh","parent":null,"argv":["/bin/sh"]}',
    `{"seq":1,"icount":10,"vt":0.1,"kind":"load","pid":1,"proc":"sh","path":"/bin/sh","entry":4198400,"segments":[{"vaddr":4198400,"memsz":4096,"flags":"r-x"}],"symbols":${syms}}`,
    '{"seq":2,"icount":100,"vt":1,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":3,"eip":4198400}',
    '{"seq":3,"icount":200,"vt":2,"kind":"syscall","pid":1,"proc":"sh","cpl_from":3,"cpl_to":0,"eip":4198956,"nr":4,"name":"write","args":[1,8392704,13,0,0]}',
    '{"seq":4,"icount":300,"vt":3,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":3,"eip":4198956,"ret":13}',
    '{"seq":5,"icount":400,"vt":4,"kind":"irq","pid":1,"proc":"sh","cpl_from":3,"cpl_to":0,"eip":4198960,"irq":14,"name":"ata"}',
    '{"seq":6,"icount":450,"vt":4.5,"kind":"return","pid":1,"proc":"sh","cpl_from":0,"cpl_to":3,"eip":4198960}',
    '{"seq":7,"icount":500,"vt":5,"kind":"exception","pid":1,"proc":"sh","cpl_from":3,"cpl_to":0,"eip":4198940,"vector":14,"name":"#PF","error_code":6,"cr2":0,"insn":"mov dword [eax], 0x1"}',
    '{"seq":8,"icount":600,"vt":6,"kind":"exit","pid":1,"proc":"sh","status":null,"vector":14,"report":"sh (pid 1) killed: #PF"}',
    '{"seq":9,"icount":610,"vt":6.1,"kind":"return","pid":null,"proc":null,"cpl_from":0,"cpl_to":0,"eip":3222276672}',
    '{"seq":10,"icount":620,"vt":906.1,"kind":"irq","pid":null,"proc":null,"cpl_from":0,"cpl_to":0,"eip":3222276672,"irq":0,"name":"timer"}',
    '{"seq":11,"icount":700,"vt":906.9,"kind":"return","pid":null,"proc":null,"cpl_from":0,"cpl_to":0,"eip":3222276672}',
    '{"seq":12,"icount":800,"vt":907.9,"kind":"halt","pid":null,"proc":null,"reason":"shutdown","status":null}',
  ];
}
