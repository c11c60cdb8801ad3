// Option values every command validates the same way: one parser per kind of value, one message shape
// (`<option> needs <what>, not "<value>"`), exit 2 (EXIT.USAGE) through UserError.
import { UserError } from "./errors.ts";

/** Parses a positive integer option (`--max-instructions`; `_` separators allowed); anything else is a UserError. */
export function positiveCount(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d[\d_]*$/.test(value) ? Number(value.replace(/_/g, "")) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UserError(`${option} needs a positive integer, not "${value}"`);
  return n;
}

/** Parses a non-negative integer option (`--context`, `--max-events`). */
export function nonNegativeCount(option: string, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UserError(`${option} needs a non-negative integer, not "${value}"`);
  return n;
}
