// The CLI's view of user errors; the class lives below the CLI (tools/errors.ts) so tools can throw it.
export { UserError } from "../errors.ts";
