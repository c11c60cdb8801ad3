// `ringside lab …`: OS-course labs (docs/labs.md). list, handout, grade, check, autograder; the work
// is in tools/lab/.
import type { Command } from "commander";
import { UserError } from "../errors.ts";

/** Turns a lab tool's own errors into one-line user errors. */
async function guard<T>(f: () => Promise<T>): Promise<T> {
  const { LabError } = await import("../../lab/labs.ts");
  const { MarkerError } = await import("../../lab/markers.ts");
  try {
    return await f();
  } catch (e) {
    if (e instanceof LabError || e instanceof MarkerError) throw new UserError(`ringside lab: ${e.message}`);
    throw e;
  }
}

export function registerLab(program: Command): void {
  const lab = program.command("lab").description("OS-course labs: list, make handouts, grade, check, build a Gradescope autograder (docs/labs.md)");

  lab
    .command("list")
    .description("each lab with its title, points, the files a student edits and its typical grading time")
    .action(async () =>
      guard(async () => {
        const { labNames, loadLab, cliRoot } = await import("../../lab/labs.ts");
        const root = await cliRoot();
        for (const name of labNames(root)) {
          const { lab: l } = await loadLab(root, name);
          process.stdout.write(`${l.name.padEnd(10)} ${l.title}\n${"".padEnd(10)} ${l.points} points, ${l.tests.length} tests, about ${l.typicalSeconds} s to grade\n${"".padEnd(10)} edit: ${l.edits.join(", ")}\n${"".padEnd(10)} handout: labs/${l.name}/README.md\n`);
        }
      }),
    );

  lab
    .command("handout")
    .description("write a complete copy of the project (its committed tree) with the labs' solutions cut out, LAB.md at its root, as a git repository with one commit")
    .argument("[labs...]", "the labs to cut")
    .requiredOption("-o, --output <dir>", "where to write the handout (must not exist or be empty)")
    .option("--all", "every lab; one branch per lab (LAB.md is that lab's README)")
    .option("--from-worktree", "copy the working tree's files instead of the committed tree")
    .option("--link-modules", "symlink this project's node_modules instead of leaving `npm install` to the student")
    .action(async (labs: string[], opts: { output: string; all?: boolean; fromWorktree?: boolean; linkModules?: boolean }) =>
      guard(async () => {
        const { labNames, cliRoot } = await import("../../lab/labs.ts");
        const { makeHandout } = await import("../../lab/handout.ts");
        const root = await cliRoot();
        const chosen = opts.all ? labNames(root) : labs;
        if (!chosen.length) throw new UserError("ringside lab handout: name at least one lab, or --all");
        const r = await makeHandout(root, chosen, opts.output, { from: opts.fromWorktree ? "worktree" : "head", linkModules: opts.linkModules, all: opts.all });
        process.stdout.write(`wrote ${r.dir}: handout of ${r.labs.join(", ")} (${r.cutFiles.length} files with solutions cut: ${r.cutFiles.join(", ")})\n`);
        process.stdout.write(`  git branches: ${r.branches.join(", ")}; the lab's instructions: LAB.md\n`);
        process.stdout.write(`  next: cd ${r.dir} && npm install && npm test && npx ringside lab grade ${r.labs[0]}\n`);
      }),
    );

  lab
    .command("grade")
    .description("type-check and grade a lab; prints each test with its points and Score: X/Y; exits 0 only at full score")
    .argument("<lab>", "the lab")
    .option("--test <name>", "run only this test (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--json", "print the report as JSON instead of text")
    .option("--junit <file>", "also write a JUnit XML report")
    .option("--gradescope <file>", "also write Gradescope's results.json")
    .option("--submission <dir>", "grade a student's tree: only the lab's files are taken from it onto a pristine copy of this project")
    .option("--report-json <file>", "also write the report as JSON to <file>")
    .option("--quiet", "no text output")
    .action(async (name: string, opts: { test: string[]; json?: boolean; junit?: string; gradescope?: string; submission?: string; reportJson?: string; quiet?: boolean }) =>
      guard(async () => {
        const { cliRoot } = await import("../../lab/labs.ts");
        const { gradeHere, gradeSubmission } = await import("../../lab/grade.ts");
        const root = await cliRoot();
        // Reports are written after grading: a path that cannot take one is refused first.
        const { checkOutputPath } = await import("../../host-files.ts");
        checkOutputPath("--junit", opts.junit);
        checkOutputPath("--gradescope", opts.gradescope, true);
        checkOutputPath("--report-json", opts.reportJson);
        const path = await import("node:path");
        const here = path.relative(root, process.cwd());
        if (!opts.submission && (here.startsWith("..") || path.isAbsolute(here))) process.stderr.write(`ringside lab grade: note: grading the checkout at ${root} (this ringside's own; the current folder is outside it)\n`);
        const o = { tests: opts.test, json: opts.json, junit: opts.junit, gradescope: opts.gradescope, reportJson: opts.reportJson, quiet: opts.quiet };
        if (opts.submission) {
          const { code } = await gradeSubmission(root, name, opts.submission, o);
          process.exitCode = code;
        } else {
          const r = await gradeHere(root, name, o);
          process.exitCode = r.score === r.max ? 0 : 1;
        }
      }),
    );

  lab
    .command("check")
    .description("for each lab: its handout must build, boot and fail every test that needs the solution; the solution must get full score")
    .argument("[labs...]", "the labs (default: all)")
    .option("--keep", "keep the temporary handouts")
    .action(async (labs: string[], opts: { keep?: boolean }) =>
      guard(async () => {
        const { cliRoot } = await import("../../lab/labs.ts");
        const { checkLabs } = await import("../../lab/check.ts");
        const res = await checkLabs(await cliRoot(), labs, (s) => void process.stdout.write(s), opts);
        const bad = res.filter((r) => !r.ok);
        process.stdout.write(bad.length ? `lab check: ${bad.map((r) => r.lab).join(", ")} FAILED\n` : `lab check: ${res.length} labs ok\n`);
        process.exitCode = bad.length ? 1 : 0;
      }),
    );

  lab
    .command("autograder")
    .description("write a Gradescope autograder bundle (setup.sh, run_autograder and this project's committed tree)")
    .argument("<lab>", "the lab")
    .requiredOption("-o, --output <zip>", "the zip file to write")
    .action(async (name: string, opts: { output: string }) =>
      guard(async () => {
        const { cliRoot } = await import("../../lab/labs.ts");
        const { writeAutograder } = await import("../../lab/autograder.ts");
        const r = await writeAutograder(await cliRoot(), name, opts.output);
        process.stdout.write(`wrote ${opts.output}: Gradescope autograder for lab ${name} (${r.files} files, ${(r.bytes / 1024).toFixed(0)} KiB)\n`);
      }),
    );
}
