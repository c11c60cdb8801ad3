; curated: data directives
bits 32
org 0x1000
start:
  db 0, 1, 255, -1, -128, 'a', "b", 0x7f
  db "hello", 13, 10, 0
  db `back\tquoted\n\r\0\\\x41\x7e\101\e\a\b\f\v\'\"\``, 0
  db `\u263a\U0001F600`
  db 'abc', 'de', 'f'
  dw 0, 1, 0xffff, -1, -32768, 'a', 'ab', "abc", start
  dd 0, 1, 0xffffffff, -1, 'abcd', "abcde", start, $, $$
  dw 'xy' + 1
  dd start - $$ + 4
  times 5 db 0xcc
  times 3 dw 0x1234
  times 2 dd 1, 2
  times 4 db 'ab'
  times 0 db 1
  times (16 - ($ - $$) % 16) % 16 db 0x55
  db 1
  align 4
  db 2
  align 16
  dw 3
  align 8, db 0xaa
  dd 4
  align 2
  align 4, dw 0xbbbb
lbl: db lbl - start
  db (lbl - $$) & 0xff, ((lbl - $$) >> 8) & 0xff
  dw end - start
  dd end
end:
