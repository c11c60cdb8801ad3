; Two mistakes, to show how ringside asm reports errors.
_start:
    mov eax, [ebx+
    frob eax
