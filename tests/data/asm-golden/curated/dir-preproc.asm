; curated: preprocessor
bits 32
%define ONE 1
%define TWO (ONE + ONE)
%define REG eax
%define ADD(a, b) ((a) + (b))
%assign counter 0
%assign counter counter + 5
%xdefine XC counter
%assign counter counter + 1

  mov REG, TWO
  mov ebx, ADD(3, 4) * 2
  mov ecx, counter
  mov edx, XC
  db counter, XC

%macro pushall 0
  push eax
  push ebx
%endmacro
%macro popall 0
  pop ebx
  pop eax
%endmacro
%macro load 2
  mov %1, %2
%endmacro
%macro count 0-*
  db %0
%endmacro
%macro spin 1
%%again:
  dec %1
  jnz %%again
%endmacro
%macro rot 3
  db %3, %2, %1
%endmacro

  pushall
  load ecx, 10
  load dx, [ebx + 4]
  count
  count 1
  count 1, 2, 3
  spin ecx
  spin edx
  popall
  rot 1, 2, 3

%assign i 0
%rep 5
  db i * 3
%assign i i + 1
%endrep
%rep 3
  nop
%endrep

%if TWO == 2
  mov al, 1
%elif TWO == 3
  mov al, 2
%else
  mov al, 3
%endif
%if 0
  this would not assemble
%elif 1
  mov al, 4
%endif
%ifdef ONE
  mov bl, 1
%else
  mov bl, 2
%endif
%ifndef NOPE
  mov bl, 3
%endif
%undef ONE
%ifdef ONE
  mov bl, 4
%else
  mov bl, 5
%endif
%if counter > 5 && counter < 10
  db 0xee
%endif
%if (counter & 1) || 0
  db 0xef
%else
  db 0xf0
%endif
%ifidn REG, eax
  db 0xf1
%endif

%define STR "text"
  db STR, 0
