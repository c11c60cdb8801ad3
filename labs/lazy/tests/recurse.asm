; Grader program (test "stack-grows"): recurses forever. The stack grows page by page to its 1 MiB
; limit; the page below it is the guard page, where the process must be killed with #PF.
section .text
global _start
_start:
    call _start
