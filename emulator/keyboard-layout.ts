// Text to PS/2 scancodes (set 1, US layout): what a person typing the text on the emulated PC's
// keyboard would send — a make code and a break code (make | 0x80) per key, Shift held for capitals
// and shifted symbols. Used to type `ringside boot --keys` input through the keyboard server.

const ROWS: [string, string, number][] = [
  // [unshifted keys, shifted keys, scancode of the first key]; consecutive keys have consecutive codes
  ["1234567890-=", "!@#$%^&*()_+", 0x02],
  ["qwertyuiop[]", "QWERTYUIOP{}", 0x10],
  ["asdfghjkl;'`", 'ASDFGHJKL:"~', 0x1e],
  ["\\zxcvbnm,./", "|ZXCVBNM<>?", 0x2b],
];
const SHIFT = 0x2a, CTRL = 0x1d;
const SPECIAL: Record<string, number> = { " ": 0x39, "\n": 0x1c, "\t": 0x0f, "\b": 0x0e };

/** The key for each character: its scancode and whether Shift is held. */
const KEYS = new Map<string, { code: number; shift: boolean }>();
for (const [plain, shifted, first] of ROWS) {
  for (let i = 0; i < plain.length; i++) {
    KEYS.set(plain[i]!, { code: first + i, shift: false });
    KEYS.set(shifted[i]!, { code: first + i, shift: true });
  }
}
for (const [ch, code] of Object.entries(SPECIAL)) KEYS.set(ch, { code, shift: false });

/** True if every character of `text` can be typed (printable ASCII, newline, tab, backspace). */
export function typeable(text: string): boolean {
  for (const ch of text) if (!KEYS.has(ch)) return false;
  return true;
}

/** The scancodes for typing `text`; throws on a character no key produces (check with `typeable`). */
export function scancodes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const k = KEYS.get(ch);
    if (!k) throw new Error(`no key types ${JSON.stringify(ch)}`);
    if (k.shift) out.push(SHIFT);
    out.push(k.code, k.code | 0x80);
    if (k.shift) out.push(SHIFT | 0x80);
  }
  return Uint8Array.from(out);
}

/** Ctrl-<letter> (e.g. "d" for end of input). */
export function ctrl(letter: string): Uint8Array {
  const k = KEYS.get(letter)!;
  return Uint8Array.of(CTRL, k.code, k.code | 0x80, CTRL | 0x80);
}
