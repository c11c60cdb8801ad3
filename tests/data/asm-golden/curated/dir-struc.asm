; curated: struc, equ, $, $$, local labels
bits 32
org 0x2000

struc point
  .x: resd 1
  .y: resd 1
  .tag: resb 1
  .pad: resb 3
endstruc

struc hdr
  h_magic: resw 1
  h_len: resd 1
  h_name: resb 8
endstruc

SIZE equ 16
MASK equ SIZE - 1
COMBO equ (SIZE << 4) | MASK

main:
  mov eax, [ebx + point.y]
  mov ecx, point_size
  mov dl, [esi + point.tag]
  mov eax, [edi + h_len]
  mov ecx, hdr_size
  mov eax, SIZE
  and eax, MASK
  mov ebx, COMBO
  mov ecx, $
  mov edx, $$
  mov esi, $ - $$
.loop:
  dec ecx
  jnz .loop
  jmp .done
.done:
  call other
  ret
other:
.loop:
  inc eax
  cmp eax, 5
  jb .loop
  jmp main.loop
  jmp other.loop
..@special:
  nop
  mov eax, ..@special
p1:
  istruc point
    at point.x, dd 1
    at point.y, dd 2
    at point.tag, db 3
  iend
p2:
  dd p1 + point.y
  dd p2 - p1
here equ $
  dd here
