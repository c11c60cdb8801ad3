// The CLI's view of user errors and exit codes; both live below the CLI (tools/errors.ts) so tools can throw them.
export { EXIT, UserError } from "../errors.ts";
