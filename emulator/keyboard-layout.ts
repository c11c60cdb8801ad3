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

/** The cursor keys (0xe0-prefixed make codes) for the VT100 sequences a terminal sends for them. */
const CURSOR: [string, number][] = [
  ["\x1b[3~", 0x53], ["\x1b[A", 0x48], ["\x1b[B", 0x50], ["\x1b[C", 0x4d], ["\x1b[D", 0x4b], ["\x1b[H", 0x47], ["\x1b[F", 0x4f],
];

/** Splits `text` into keys: a cursor key's escape sequence, Ctrl-<letter> (0x01–0x1a but Tab, '\n', '\b'), or one character. */
function keysOf(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const seq = CURSOR.find(([s]) => text.startsWith(s, i));
    const n = seq ? seq[0].length : text.codePointAt(i)! > 0xffff ? 2 : 1;
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The scancodes of one key of `keysOf`, or undefined if no key types it. */
function keyCodes(key: string): number[] | undefined {
  const seq = CURSOR.find(([s]) => s === key);
  if (seq) return [0xe0, seq[1], 0xe0, seq[1] | 0x80];
  const c = key.charCodeAt(0);
  if (key.length === 1 && c >= 1 && c <= 26 && !KEYS.has(key)) return [...ctrl(String.fromCharCode(0x60 + c))];
  const k = KEYS.get(key);
  if (!k) return undefined;
  const out: number[] = [];
  if (k.shift) out.push(SHIFT);
  out.push(k.code, k.code | 0x80);
  if (k.shift) out.push(SHIFT | 0x80);
  return out;
}

/** True if every character of `text` can be typed (printable ASCII, newline, tab, backspace, Ctrl-<letter>, cursor keys as ESC [ x). */
export function typeable(text: string): boolean {
  return keysOf(text).every((k) => keyCodes(k) !== undefined);
}

/** The scancodes for typing `text`; throws on a character no key produces (check with `typeable`). */
export function scancodes(text: string): Uint8Array {
  const out: number[] = [];
  for (const key of keysOf(text)) {
    const codes = keyCodes(key);
    if (!codes) throw new Error(`no key types ${JSON.stringify(key)}`);
    out.push(...codes);
  }
  return Uint8Array.from(out);
}

/** Ctrl-<letter> (e.g. "d" for end of input). */
export function ctrl(letter: string): Uint8Array {
  const k = KEYS.get(letter)!;
  return Uint8Array.of(CTRL, k.code, k.code | 0x80, CTRL | 0x80);
}
