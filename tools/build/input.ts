// Scripted console input (`--input`, and graders' scripted sessions): how typed text is cut into the
// pieces the machine types one at a time, each when the guest next waits for input.

/**
 * The input split after each newline. A last line with no newline is typed with one, as if Enter were
 * pressed — unless it already ends with a carriage return, which is Enter on a terminal.
 */
export function splitLines(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 10) {
      out.push(input.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < input.length) out.push(input[input.length - 1] === 13 ? input.subarray(start) : Uint8Array.of(...input.subarray(start), 10));
  return out;
}
