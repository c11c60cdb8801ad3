; curated: %include (the included file lives next to this one)
bits 16
%include "inc_defs.inc"
  mov ax, INC_VALUE
  incmacro bx
  db INC_STR
