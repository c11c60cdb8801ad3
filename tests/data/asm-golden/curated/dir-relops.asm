; curated: relational and logical operators in expressions
bits 32
  dd 3 < 5, 5 < 3, 3 <= 3, 3 > 2, 2 >= 3, 3 == 3, 3 = 3, 3 != 4, 3 <> 3, 5 <=> 3, 3 <=> 5, 4 <=> 4
  dd 1 && 0, 1 && 2, 0 || 0, 0 || 3, 1 ^^ 1, 1 ^^ 0
  dd 1 + 2 == 3, 1 < 2 == 1, 2 + 3 > 4 && 1
  dd 5 ? 7 : 9, 0 ? 7 : 9
; NASM evaluates in 64 bits: unsigned / % >> on negative numbers, then truncates (with a warning)
  dd -5 / 2, -7 % 3, -1 >> 1, -1 >>> 1, -16 >> 2, -16 >>> 2
