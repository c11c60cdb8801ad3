; curated: reservations in a code file (NASM zero-fills them in flat binaries)
bits 16
org 0
  db 1
  resb 3
  dw 2
  resw 2
  dd 3
  resd 1
  db 4
x: resb 5
  dw x
