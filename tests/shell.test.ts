// The shell and the programs in /bin, through a real microkernel boot: `ringside boot <img> --input …`
// types the input at the console, and the run's status is init's, which is the shell's exit status.
// The tests boot private images (boot writes guest changes back to the image it boots).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, ringside, type CliResult } from "./helpers/cli.ts";
import { solutionCut } from "../tools/lab/cut.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "ringside-sh-"));
const img = path.join(dir, "disk.img");
const badShellImg = path.join(dir, "badshell.img");

// A program that kills itself with SIGKILL, and an empty file (not a program).
const SELFKILL = `%include "ulib.inc"
global _start
_start:
    SYSCALL SYS_getpid
    SYSCALL SYS_kill, eax, SIGKILL
    SYSCALL SYS_exit, 0
`;
// A program bigger than ulib_spawn_path's 64 KiB heap step, a text file bigger than cat's buffer,
// and a directory needing several getdents calls.
const BIG = `%include "ulib.inc"
section .data
msg db "big program ok", 10, 0
pad times 150000 db 0x5a
section .text
global _start
_start:
    mov esi, msg
    call ulib_puts
    mov ebx, 0
    cmp byte [pad + 149999], 0x5a
    je .ok
    mov ebx, 1
.ok:
    call ulib_exit
`;
const LONG_TEXT = Array.from({ length: 700 }, (_, i) => `line ${i} of a file longer than one 4 KiB read`).join("\n") + "\n";
const MANY = Array.from({ length: 200 }, (_, i) => `entry-number-${String(i).padStart(3, "0")}`);
// The default manifest, except that the shell is the empty file.
const BAD_SHELL_MANIFEST = `server    console   /boot/console    irq=4 ports=0x3f8-0x3ff
server    keyboard  /boot/keyboard   irq=1 ports=0x60,0x64 send=console
server    disk      /boot/disk       irq=14 ports=0x1f0-0x1f7,0x3f6
server    fs        /boot/fs         send=disk
init      init      /boot/init
shell     sh        /bin/empty
`;

/** Boots `image` with `input` typed at the console; `out` is everything the run printed. */
function boot(input: string, image = img): CliResult & { out: string } {
  const r = ringside(["boot", image, "--input", input]);
  return { ...r, out: r.stdout + r.stderr };
}

/** The output that follows the prompt at which `command` was typed (first occurrence), up to the next prompt. */
function after(out: string, command: string): string {
  const at = out.indexOf(`$ ${command}\n`);
  if (at < 0) throw new Error(`no prompt with ${JSON.stringify(command)} in:\n${out}`);
  const rest = out.slice(at + command.length + 3);
  const next = rest.indexOf("$ ");
  return next < 0 ? rest : rest.slice(0, next);
}

beforeAll(() => {
  writeFileSync(path.join(dir, "selfkill.asm"), SELFKILL);
  writeFileSync(path.join(dir, "empty"), "");
  writeFileSync(path.join(dir, "manifest"), BAD_SHELL_MANIFEST);
  const selfkill = path.join(dir, "selfkill");
  let r = ringside(["asm", "-f", "elf", "-I", path.join(ROOT, "servers", "lib"), "-o", selfkill, path.join(dir, "selfkill.asm")]);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(path.join(dir, "big.asm"), BIG);
  const big = path.join(dir, "big");
  r = ringside(["asm", "-f", "elf", "-I", path.join(ROOT, "servers", "lib"), "-o", big, path.join(dir, "big.asm")]);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(path.join(dir, "long.txt"), LONG_TEXT);
  writeFileSync(path.join(dir, "tiny"), "x");
  const empty = `${path.join(dir, "empty")}:/bin/empty`;
  const many = MANY.flatMap((n) => ["--add", `${path.join(dir, "tiny")}:/many/${n}`]);
  r = ringside(["image", "build", "-o", img, "--add", `${selfkill}:/bin/selfkill`, "--add", empty, "--add", `${big}:/bin/big`,
    "--add", `${path.join(dir, "long.txt")}:/home/long.txt`, ...many]);
  expect(r.code, r.stderr).toBe(0);
  r = ringside(["image", "build", "-o", badShellImg, "--add", empty, "--replace", "--add", `${path.join(dir, "manifest")}:/boot/manifest`]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe.skipIf(solutionCut("ipc"))("a shell session", () => {
  let session: CliResult & { out: string };
  beforeAll(() => {
    session = boot(
      [
        "echo hi   there\tfolks",
        "echo",
        "ls /",
        "ls /bin",
        "cat /etc/motd",
        "write /note hello from  the shell",
        "cat /note",
        "rm /note",
        "cat /note",
        "rm /bin",
        "ls /nosuch",
        "ls /etc/motd /home",
        "frobnicate",
        "/bin/nosuch",
        "/bin/empty",
        "/bin",
        "selfkill",
        "ps",
        "big",
        "cat /home/long.txt",
        "ls /many",
        "kill 999",
        "kill x",
        "exit x",
        "help",
        "",
        "  \t ",
        "a b c d e f g h i j k l m n o p q",
        "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
        "exit 0",
        "echo never runs",
        "",
      ].join("\n"),
    );
  }, 120_000);

  it("prints the motd once, before the first prompt", () => {
    expect(session.out.startsWith("Welcome to ringside")).toBe(true);
    expect(session.out.indexOf("Welcome to ringside")).toBeLessThan(session.out.indexOf("$ "));
    expect(session.out.split("Welcome to ringside").length).toBe(3); // the motd and `cat /etc/motd`
  });

  it("echo joins its words with single spaces", () => {
    expect(after(session.out, "echo hi   there\tfolks")).toBe("hi there folks\n");
    expect(after(session.out, "echo")).toBe("\n");
    expect(after(session.out, "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15")).toBe("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"); // 16 words: the most
  });

  it("ls lists a directory, one entry per line, directories with a trailing slash", () => {
    expect(after(session.out, "ls /")).toBe("boot/\nbin/\netc/\nhome/\nmany/\n");
    const bin = after(session.out, "ls /bin").split("\n");
    for (const p of ["sh", "ls", "cat", "echo", "write", "rm", "ps", "kill", "hello", "selfkill", "empty", "big"]) expect(bin).toContain(p);
    expect(bin.filter((l) => l.endsWith("/"))).toEqual([]);
  });

  it("ls with several paths heads each listing and reports the bad ones", () => {
    expect(after(session.out, "ls /etc/motd /home")).toBe("/etc/motd:\nls: /etc/motd: Not a directory\n\n/home:\nreadme.txt\nlong.txt\n");
  });

  it("cat copies a file", () => {
    expect(after(session.out, "cat /etc/motd")).toMatch(/^Welcome to ringside.*\n$/);
  });

  it("cat copies a file longer than its buffer, byte for byte", () => {
    expect(after(session.out, "cat /home/long.txt")).toBe(LONG_TEXT);
  });

  it("ls reads a directory that needs several getdents calls", () => {
    expect(after(session.out, "ls /many")).toBe(MANY.map((n) => `${n}\n`).join(""));
  });

  it("the shell loads a program bigger than one heap step", () => {
    expect(after(session.out, "big")).toBe("big program ok\n");
  });

  it("write creates a file that cat reads back; rm removes it", () => {
    expect(after(session.out, "write /note hello from  the shell")).toBe("");
    const cats = session.out.split("$ cat /note\n");
    expect(cats.length).toBe(3);
    expect(cats[1]!.slice(0, cats[1]!.indexOf("$ "))).toBe("hello from the shell\n");
    expect(after(session.out, "rm /note")).toBe("");
    expect(cats[2]!.slice(0, cats[2]!.indexOf("$ "))).toBe("cat: /note: No such file or directory\n");
  });

  it("program errors name the program, the path and the reason", () => {
    expect(after(session.out, "rm /bin")).toBe("rm: /bin: Is a directory\n");
    expect(after(session.out, "ls /nosuch")).toBe("ls: /nosuch: No such file or directory\n");
    expect(after(session.out, "kill 999")).toBe("kill: 999: No such process\n");
    expect(after(session.out, "kill x")).toBe("kill: x: Invalid argument\n");
  });

  it("the shell reports commands it cannot run", () => {
    expect(after(session.out, "frobnicate")).toBe("sh: frobnicate: command not found\n");
    expect(after(session.out, "/bin/nosuch")).toBe("sh: /bin/nosuch: command not found\n");
    expect(after(session.out, "/bin/empty")).toBe("sh: /bin/empty: Exec format error\n");
    expect(after(session.out, "/bin")).toBe("sh: /bin: Permission denied\n"); // execve of a directory: EACCES, as on Linux
    expect(after(session.out, "a b c d e f g h i j k l m n o p q")).toBe("sh: too many arguments (at most 16)\n");
    expect(after(session.out, "exit x")).toBe("sh: exit: numeric argument required\n");
  });

  it("a child killed by a signal is reported", () => {
    expect(after(session.out, "selfkill")).toBe("sh: selfkill: Killed (signal 9)\n"); // named since the Unix shell
  });

  it("empty and blank lines just prompt again", () => {
    expect(session.out).toContain("$ \n$   \t \n$ a b c");
  });

  it("ps lists the servers (rs, the reincarnation server, among them), init and the shell", () => {
    const lines = after(session.out, "ps").trimEnd().split("\n");
    expect(lines[0]).toBe("  PID  PPID STATE    NAME");
    const rows = lines.slice(1).map((l) => {
      const m = /^([ \d]{5}) ([ \d]{5}) (\w+) +(\S+)$/.exec(l);
      if (!m) throw new Error(`bad ps line ${JSON.stringify(l)}`);
      return { pid: Number(m[1]), ppid: Number(m[2]), state: m[3], name: m[4] };
    });
    expect(rows.map((r) => r.name)).toEqual(["init", "console", "keyboard", "disk", "fs", "rs", "sh", "ps"]);
    const byName = (n: string) => rows.find((r) => r.name === n)!;
    for (const n of ["console", "keyboard", "disk", "fs", "rs", "sh"]) expect(byName(n).ppid).toBe(byName("init").pid);
    expect(byName("ps").ppid).toBe(byName("sh").pid);
    expect(byName("ps").state).toBe("running");
    expect(byName("sh").state).toBe("blocked");
  });

  it("help lists the builtins and the programs in /bin", () => {
    const help = after(session.out, "help");
    expect(help).toContain("exit [n]");
    for (const p of ["sh", "ls", "cat", "echo", "write", "rm", "ps", "kill", "selfkill"]) expect(help).toContain(`  ${p}\n`);
  });

  it("exit ends the shell, and the boot's status is the shell's", () => {
    expect(session.out).not.toContain("never runs\n");
    expect(session.out.trimEnd().endsWith("$ exit 0")).toBe(true);
    expect(session.code, session.out).toBe(0);
  });
});

describe.skipIf(solutionCut("ipc"))("init and the shell's exit status", () => {
  it("exit n becomes the boot's exit status", () => {
    const r = boot("echo bye\nexit 7\n");
    expect(r.out).toContain("$ echo bye\nbye\n$ exit 7");
    expect(r.code, r.out).toBe(7);
  });

  it("end of input exits 0", () => {
    const r = boot("exit 3x\n");
    expect(r.out).toContain("sh: exit: numeric argument required\n$ ");
    expect(r.code, r.out).toBe(0);
  });

  it("a killed shell ends the boot with 128 + the signal, and init says why the machine powers off", () => {
    const r = boot("ps\nkill 7\necho never\n");
    expect(after(r.out, "ps")).toMatch(/\n {4}7 {5}1 blocked  sh\n/); // pid 7 is the shell (after the five servers)
    expect(r.stdout.endsWith("$ kill 7\ninit: the shell was killed by signal 15; powering off\n"), r.stdout).toBe(true); // on the console
    expect(r.stderr).toBe("");
    expect(r.code, r.out).toBe(128 + 15);
  });

  it("monolithic: ps lists the in-kernel services, and kill of one is refused (not 'No such process')", () => {
    const r = ringside(["boot", img, "--snapshot", "--mode", "monolithic", "--input", "ps\nkill 2\nkill 5\nls /bin/cat\n"]);
    const out = r.stdout + r.stderr;
    expect(after(out, "ps")).toMatch(/\n {4}2 {5}1 blocked  console\n/);
    expect(after(out, "kill 2")).toBe("kill: 2: Operation not permitted\n");
    expect(after(out, "kill 5")).toBe("kill: 5: Operation not permitted\n");
    expect(after(out, "ls /bin/cat")).toMatch(/cat/); // the file service still serves
    expect(r.code, out).toBe(0);
  });

  it("2> file, 2>> file and 2>&1 (left to right, as in sh) redirect a command's stderr; 2> at a word's start only", () => {
    const input = "ls /nope 2> /home/e\ncat /home/e\nls /nope 2>> /home/e\ncat /home/e\nls /nope > /home/o 2>&1\ncat /home/o\nls /nope 2>&1 > /home/p\ncat /home/p\nls /nope 2>&1 | wc -c\necho a2>/home/w\ncat /home/w\necho a 2>\n";
    const b = ringside(["boot", img, "--snapshot", "--input", input]); // the files it writes stay out of the shared image
    const r = { ...b, out: b.stdout + b.stderr };
    const err = "ls: /nope: No such file or directory\n";
    expect(after(r.out, "ls /nope 2> /home/e")).toBe(""); // not on the console
    expect(after(r.out, "cat /home/e")).toBe(err);
    expect(r.out).toContain(`$ ls /nope 2>> /home/e\n$ cat /home/e\n${err}${err}`);
    expect(after(r.out, "cat /home/o")).toBe(err);
    expect(after(r.out, "ls /nope 2>&1 > /home/p")).toBe(err); // left to right: stderr went where stdout was
    expect(after(r.out, "cat /home/p")).toBe("");
    expect(after(r.out, "ls /nope 2>&1 | wc -c")).toBe(`${err.length}\n`);
    expect(after(r.out, "cat /home/w")).toBe("a2\n"); // "a2" is a word; > redirects stdout
    expect(after(r.out, "echo a 2>")).toBe("sh: syntax error near newline\n");
    expect(r.code, r.out).toBe(0);
  });

  it("killing init powers the machine off, and the kernel says so", () => {
    const r = boot("kill 1\necho never\n");
    expect(r.stderr).toBe("[pid 1 init] killed by signal 15: init ended, so the machine powers off\n");
    expect(r.stdout).not.toContain("never");
    expect(r.code, r.out).toBe(128 + 15);
  });

  it("init reports a shell it cannot start and exits 1", () => {
    const r = boot("", badShellImg);
    expect(r.out).toContain("init: cannot start /bin/empty: Exec format error\n");
    expect(r.code).toBe(1);
  });
});
