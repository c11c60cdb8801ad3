// Strings a program passes as bytes that the kernel keeps as JavaScript strings (argv and envp): what
// a program gives execve or spawn must reach the new program byte for byte, even when it is not UTF-8.
// Valid UTF-8 decodes as usual (a trace shows it as text); each byte of an invalid sequence becomes a
// lone surrogate U+DC80 + (byte - 0x80) — Python's "surrogateescape" — which encodeBytes turns back
// into that byte. No valid UTF-8 decodes to a lone surrogate, so the round trip is exact.

/** The code point of the valid UTF-8 sequence at `b[i]`, and its length; undefined if none starts there. */
function sequenceAt(b: Uint8Array, i: number): { cp: number; n: number } | undefined {
  const c = b[i]!;
  let n: number, cp: number, min: number;
  if (c < 0x80) return { cp: c, n: 1 };
  if (c >= 0xc2 && c <= 0xdf) (n = 2), (cp = c & 0x1f), (min = 0x80);
  else if (c >= 0xe0 && c <= 0xef) (n = 3), (cp = c & 0x0f), (min = 0x800);
  else if (c >= 0xf0 && c <= 0xf4) (n = 4), (cp = c & 0x07), (min = 0x10000);
  else return undefined;
  if (i + n > b.length) return undefined;
  for (let k = 1; k < n; k++) {
    const d = b[i + k]!;
    if ((d & 0xc0) !== 0x80) return undefined;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined; // overlong, too large, a surrogate
  return { cp, n };
}

/** `bytes` as a string: UTF-8 where valid, every other byte as U+DC80 + (byte - 0x80). */
export function decodeBytes(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; ) {
    const seq = sequenceAt(bytes, i);
    if (seq) {
      s += String.fromCodePoint(seq.cp);
      i += seq.n;
    } else {
      s += String.fromCharCode(0xdc00 + bytes[i]!); // bytes 0x80..0xff: U+DC80..U+DCFF
      i++;
    }
  }
  return s;
}

/** The bytes `s` stands for: UTF-8, except that a lone U+DC80..U+DCFF is the byte it escapes (decodeBytes' inverse). */
export function encodeBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}
