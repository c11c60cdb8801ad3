; false: does nothing, unsuccessfully (exit 1).
%include "ulib.inc"

section .text
global _start
_start:
    mov ebx, 1
    call ulib_exit
