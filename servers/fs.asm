; fs: the ringside file server (ring 3). It keeps the RSFS v1 file system (docs/image.md) on the disk
; behind the disk server and answers the FS_* protocol (docs/microkernel.md, "Server protocols"):
; inode numbers are the handles, the kernel keeps the offsets.
;
; The job, MINIX style:
;
;     mount                  look up "disk", read and check the superblock
;     forever:
;         reply + receive    ipc_reply_recv: answer the previous client, take the next request
;         dispatch on w0     FS_OPEN … FS_READDIR; anything else is -EINVAL
;         do the work        the handler fills the reply (rep_w0 … rep_len)
;
; Rules the handlers keep:
; - Write-through. Every change to the bitmap, the inode table or a directory is written to the disk
;   before the reply goes out, so the image is consistent after every request. The block cache
;   (NCACHE slots of 4 KiB, least recently used goes first) only saves reads; it is never dirty.
;   Writes send just the 512-byte sectors that changed.
; - File data never goes through the cache: a whole aligned block is read straight into the reply
;   buffer (one disk call) or written straight from the request buffer.
; - Allocation is exactly docs/image.md's: first-fit blocks from data_start (alloc_hint is only the
;   lowest block that may be free), the lowest free inode, the first empty directory slot, else the
;   directory grows by 32 bytes.
; - Errors unwind: `fail` (EAX = -errno) drops the request's stack and answers it with that error, so
;   a routine that returns has succeeded. A failed disk call answers -EIO and empties the cache; if
;   the disk server is gone (-ESRCH), the next request looks it up again. Until a mount succeeds,
;   every request is answered -EIO. Nothing a client sends (inode numbers, offsets, lengths, paths)
;   is trusted, nor are the block pointers and inode numbers read from the disk.

%include "ringside.inc"

BLOCK           equ 4096
SECTORS_PER_BLK equ BLOCK / SECTOR_SIZE     ; 8
NDIRECT         equ 12
NINDIRECT       equ BLOCK / 4               ; 1024
MAX_BLOCKS      equ NDIRECT + NINDIRECT     ; 1036
MAX_FILE        equ MAX_BLOCKS * BLOCK      ; the largest file, in bytes
DIRENT          equ 32
ENT_PER_BLK     equ BLOCK / DIRENT          ; 128
NAME_MAX        equ 27
INODES_PER_BLK  equ BLOCK / 64
BITS_PER_BLK    equ BLOCK * 8               ; 32768 bitmap bits per bitmap block
RSFS_MAGIC      equ 0x53465352              ; "RSFS"
ROOT_INO        equ 1
T_FREE          equ 0
T_FILE          equ 1
T_DIR           equ 2
NCACHE          equ 8

; An inode as on the disk (64 bytes).
struc inode
    .type:      resw 1
    .links:     resw 1
    .size:      resd 1
    .direct:    resd NDIRECT
    .indirect:  resd 1
    .reserved:  resd 1
endstruc
; An in-memory inode: the 64 bytes, then its number.
MI_INO  equ 64
MI_SIZE equ 68

; The superblock fields (offsets in block 0).
SB_MAGIC        equ 0
SB_VERSION      equ 4
SB_BLOCK_SIZE   equ 8
SB_TOTAL        equ 12
SB_BITMAP_START equ 16
SB_BITMAP_BLKS  equ 20
SB_INODE_START  equ 24
SB_INODE_BLKS   equ 28
SB_INODE_COUNT  equ 32
SB_DATA_START   equ 36
SB_ROOT         equ 40

section .data
disk_name   db "disk", 0
align 4
handlers    dd fs_open, fs_read, fs_write, fs_close, fs_unlink, fs_mkdir, fs_readdir
cache_blk   times NCACHE dd -1              ; block number held by each slot, -1 = empty
cache_use   times NCACHE dd 0               ; last-use stamp of each slot (0 = empty)
bf_blk      dd -1                           ; bfree_list: the bitmap block with unwritten changes

section .bss
alignb 4
; the mounted file system
mounted         resd 1                      ; 1 once the superblock checked out
disk_ep         resd 1                      ; the disk server's endpoint
total_blocks    resd 1
bitmap_start    resd 1
inode_start     resd 1
inode_count     resd 1
data_start      resd 1
alloc_hint      resd 1                      ; no block below this one is free
cache_clock     resd 1
; the request being served, and its reply
reply_to        resd 1                      ; the client to answer (0 = nobody)
req_w0          resd 1
req_w1          resd 1
req_w2          resd 1
req_len         resd 1                      ; payload bytes in msgbuf
rep_w0          resd 1
rep_w1          resd 1
rep_w2          resd 1
rep_len         resd 1                      ; reply payload bytes in msgbuf
saved_esp       resd 1                      ; the stack to unwind to in `fail`
; scratch state of the handlers
io_type         resd 1
io_bytes        resd 1
name_ptr        resd 1                      ; the path component being looked up
name_len        resd 1
is_root         resd 1                      ; resolve: the path names "/" itself
trailing_slash  resd 1                      ; resolve: the last component ends in '/'
found_slot      resd 1                      ; dir_lookup: entry index of the match
free_slot       resd 1                      ; dir_lookup: first empty entry index, -1 = none
bf_lo           resd 1                      ; bfree_list: changed byte range in bf_blk
bf_hi           resd 1
x_off           resd 1                      ; fs_read/fs_write: start offset, bytes done, bytes wanted
x_pos           resd 1
x_count         resd 1
x_full          resd 1                      ; fs_write: ran out of blocks
x_len           resd 1                      ; fs_write: bytes into the current block, and their source
x_src           resd 1
mi_p            resb MI_SIZE                ; the directory a path's last component lives in
mi_a            resb MI_SIZE                ; the inode a request is about
alignb 16
msgbuf          resb BLOCK + 16             ; IPC buffer: request payload in, reply payload out
scratch         resb BLOCK                  ; partial data blocks, the superblock
freelist        resd MAX_BLOCKS + 4         ; itrunc: the blocks to free
cache_data      resb NCACHE * BLOCK

section .text
global _start

; The server's main loop: mount, then reply-and-receive forever. Never returns.
_start:
    cld
    call try_mount
    mov dword [reply_to], 0
.serve:
    mov ebx, [reply_to]
    mov ecx, [rep_w0]
    mov edx, [rep_w1]
    mov ebp, [rep_w2]
    mov edi, [rep_len]
    or edi, IPC_MAX << 16
    mov esi, msgbuf
    mov eax, SYS_ipc_reply_recv
    int 0x80
    mov dword [reply_to], 0
    test eax, eax
    jle .serve                              ; a notification (0) or a failed receive: nobody to answer
    mov [reply_to], eax
    mov [req_w0], ecx
    mov [req_w1], edx
    mov [req_w2], ebp
    cmp edi, IPC_MAX
    jbe .len_ok
    mov edi, IPC_MAX
.len_ok:
    mov [req_len], edi
    call dispatch
    jmp .serve

; dispatch: serves the request in req_* and fills rep_*. Unknown requests get -EINVAL; every
; request gets -EIO while the disk cannot be mounted. Clobbers all registers but ESP.
dispatch:
    mov [saved_esp], esp
    xor eax, eax
    mov [rep_w1], eax
    mov [rep_w2], eax
    mov [rep_len], eax
    mov eax, [req_w0]
    sub eax, MSG_FS_OPEN
    cmp eax, MSG_FS_READDIR - MSG_FS_OPEN
    ja .unknown
    cmp dword [mounted], 0
    jne .go
    push eax
    call mount                              ; fails -EIO if the disk is still unusable
    pop eax
.go:
    jmp [handlers + eax*4]                  ; the handler's ret returns from dispatch
.unknown:
    mov eax, -EINVAL
    jmp fail

; fail: abandons the current request (or mount attempt) and answers it with EAX = -errno.
; Unwinds to the stack saved by dispatch/try_mount and returns to their caller.
fail:
    mov esp, [saved_esp]
    mov [rep_w0], eax
    xor eax, eax
    mov [rep_w1], eax
    mov [rep_w2], eax
    mov [rep_len], eax
    ret

; reply: sets the reply words (EAX, EDX, ECX = w0, w1, w2), no payload. Preserves all registers.
reply:
    mov [rep_w0], eax
    mov [rep_w1], edx
    mov [rep_w2], ecx
    mov dword [rep_len], 0
    ret

; try_mount: mounts if it can (mounted = 1); a failure is only remembered (mounted = 0).
; Clobbers all registers but ESP.
try_mount:
    mov [saved_esp], esp
    call mount
    ret

; mount: looks up the disk server, checks the superblock against docs/image.md and the root inode.
; Sets the file system globals and mounted = 1, or fails -EIO. Clobbers all registers but ESP.
mount:
    mov dword [mounted], 0
    call cache_reset
    mov ebx, disk_name
    mov eax, SYS_ipc_lookup
    int 0x80
    test eax, eax
    jle .bad
    mov [disk_ep], eax
    ; the disk's size in sectors (if the disk server can tell)
    mov ebx, eax
    mov ecx, MSG_DISK_SIZE
    xor edx, edx
    xor ebp, ebp
    xor edi, edi
    mov esi, scratch
    mov eax, SYS_ipc_call
    int 0x80
    test eax, eax
    jnz .bad
    mov ebp, ecx                            ; EBP = sectors, or ≤ 0 if unknown
    mov eax, MSG_DISK_READ
    xor ecx, ecx
    mov edx, SECTORS_PER_BLK
    mov esi, scratch
    call disk_io
    cmp dword [scratch + SB_MAGIC], RSFS_MAGIC
    jne .bad
    cmp dword [scratch + SB_VERSION], 1
    jne .bad
    cmp dword [scratch + SB_BLOCK_SIZE], BLOCK
    jne .bad
    cmp dword [scratch + SB_ROOT], ROOT_INO
    jne .bad
    mov eax, [scratch + SB_TOTAL]
    cmp eax, 1 << 28                        ; LBAs must fit in 32 bits
    jae .bad
    test ebp, ebp
    jle .size_unknown
    lea edx, [eax*8]
    cmp edx, ebp
    ja .bad                                 ; the file system is larger than the disk
.size_unknown:
    cmp dword [scratch + SB_BITMAP_START], 1
    jne .bad
    lea edx, [eax + BITS_PER_BLK - 1]       ; bitmap_blocks = ceil(total / 32768)
    shr edx, 15
    cmp [scratch + SB_BITMAP_BLKS], edx
    jne .bad
    inc edx                                 ; inode_start = 1 + bitmap_blocks
    cmp [scratch + SB_INODE_START], edx
    jne .bad
    mov ecx, [scratch + SB_INODE_COUNT]
    test ecx, ecx
    jz .bad
    test ecx, INODES_PER_BLK - 1
    jnz .bad
    shr ecx, 6
    cmp [scratch + SB_INODE_BLKS], ecx
    jne .bad
    add edx, ecx                            ; data_start = inode_start + inode_blocks
    cmp [scratch + SB_DATA_START], edx
    jne .bad
    cmp edx, eax
    jae .bad
    mov [total_blocks], eax
    mov [data_start], edx
    mov [alloc_hint], edx
    mov eax, [scratch + SB_INODE_START]
    mov [inode_start], eax
    mov eax, [scratch + SB_INODE_COUNT]
    mov [inode_count], eax
    mov dword [bitmap_start], 1
    mov eax, ROOT_INO
    mov ebx, mi_a
    call iget
    cmp word [mi_a + inode.type], T_DIR
    jne .bad
    mov dword [mounted], 1
    ret
.bad:
    mov dword [mounted], 0
    mov eax, -EIO
    jmp fail

; ---------------------------------------------------------------------------------------------
; The disk and the block cache
; ---------------------------------------------------------------------------------------------

; disk_io: one DISK_READ or DISK_WRITE. In: EAX = MSG_DISK_READ/MSG_DISK_WRITE, ECX = LBA,
; EDX = sectors (1–8), ESI = the buffer. Returns only if all the bytes moved; preserves all
; registers. Otherwise empties the cache and fails -EIO (and forgets the disk if it is gone).
disk_io:
    pushad
    mov [io_type], eax
    mov ebx, [disk_ep]
    mov ebp, edx                            ; w2 = count
    shl edx, 9
    mov [io_bytes], edx
    mov edi, edx                            ; a write sends the bytes, asks for no reply payload
    cmp eax, MSG_DISK_READ
    jne .call
    shl edi, 16                             ; a read sends nothing, takes the bytes back
.call:
    mov edx, ecx                            ; w1 = LBA
    mov ecx, eax                            ; w0 = request
    mov eax, SYS_ipc_call
    int 0x80
    test eax, eax
    jnz .gone
    cmp ecx, [io_bytes]
    jne .failed
    cmp dword [io_type], MSG_DISK_READ
    jne .ok
    cmp edi, [io_bytes]
    jne .failed
.ok:
    popad
    ret
.gone:
    mov dword [mounted], 0                  ; look the disk server up again next time
.failed:
    call cache_reset
    mov eax, -EIO
    jmp fail

; cache_reset: empties the cache and restarts first-fit at data_start. Preserves all registers.
cache_reset:
    push ecx
    mov ecx, NCACHE
.slot:
    mov dword [cache_blk + ecx*4 - 4], -1
    mov dword [cache_use + ecx*4 - 4], 0
    loop .slot
    mov ecx, [data_start]
    mov [alloc_hint], ecx
    mov dword [bf_blk], -1
    pop ecx
    ret

; cache_drop: forgets block EAX if it is cached (it was freed). Preserves all registers.
cache_drop:
    push ecx
    xor ecx, ecx
.find:
    cmp [cache_blk + ecx*4], eax
    je .found
    inc ecx
    cmp ecx, NCACHE
    jb .find
    pop ecx
    ret
.found:
    mov dword [cache_blk + ecx*4], -1
    mov dword [cache_use + ecx*4], 0
    pop ecx
    ret

; cache_slot: EAX = block number (< total_blocks, else fails -EIO) → ECX = its slot, stamped as
; the most recently used; CF = 1 if the block was not cached (the slot is then claimed for it,
; contents stale). Preserves all other registers.
cache_slot:
    cmp eax, [total_blocks]
    jae .bad
    push ebx
    push edx
    xor ecx, ecx
.find:
    cmp [cache_blk + ecx*4], eax
    je .hit
    inc ecx
    cmp ecx, NCACHE
    jb .find
    xor ecx, ecx                            ; a miss: take the least recently used slot
    mov edx, [cache_use]
    mov ebx, 1
.scan:
    cmp [cache_use + ebx*4], edx
    jae .older
    mov edx, [cache_use + ebx*4]
    mov ecx, ebx
.older:
    inc ebx
    cmp ebx, NCACHE
    jb .scan
    mov [cache_blk + ecx*4], eax
    call .stamp
    pop edx
    pop ebx
    stc
    ret
.hit:
    call .stamp
    pop edx
    pop ebx
    clc
    ret
.stamp:
    inc dword [cache_clock]
    mov edx, [cache_clock]
    mov [cache_use + ecx*4], edx
    ret
.bad:
    mov eax, -EIO
    jmp fail

; cache_get: EAX = block number → EAX = its 4 KiB in the cache (read on a miss). Valid until
; NCACHE other blocks have been fetched. Preserves all other registers; fails -EIO.
cache_get:
    push ecx
    call cache_slot
    jnc .hit
    mov dword [cache_blk + ecx*4], -1       ; empty until the read succeeds
    push eax
    push ecx
    push edx
    push esi
    mov esi, ecx
    shl esi, 12
    add esi, cache_data
    lea ecx, [eax*8]
    mov edx, SECTORS_PER_BLK
    mov eax, MSG_DISK_READ
    call disk_io
    pop esi
    pop edx
    pop ecx
    pop eax
    mov [cache_blk + ecx*4], eax
.hit:
    mov eax, ecx
    shl eax, 12
    add eax, cache_data
    pop ecx
    ret

; cache_get_new: EAX = a block just allocated → EAX = its cache slot, zero-filled and not read.
; The caller must write the whole block (cache_sync EAX, BLOCK). Preserves all other registers.
cache_get_new:
    push ecx
    push edi
    call cache_slot
    mov edi, ecx
    shl edi, 12
    add edi, cache_data
    push edi
    xor eax, eax
    mov ecx, BLOCK / 4
    rep stosd
    pop eax
    pop edi
    pop ecx
    ret

; cache_sync: writes the sectors holding cached bytes [EAX, EAX+ECX) (ECX ≥ 1, inside one slot) to
; the disk. Preserves all registers; fails -EIO.
cache_sync:
    pushad
    sub eax, cache_data
    mov ebx, eax
    shr ebx, 12                             ; the slot
    and eax, BLOCK - 1                      ; offset in the block
    lea edx, [eax + ecx - 1]
    shr eax, 9                              ; first sector
    shr edx, 9
    sub edx, eax
    inc edx                                 ; sectors
    mov esi, ebx
    shl esi, 12
    add esi, cache_data
    mov ecx, eax
    shl ecx, 9
    add esi, ecx
    mov ecx, [cache_blk + ebx*4]
    test ecx, ecx
    js .bad
    shl ecx, 3
    add ecx, eax
    mov eax, MSG_DISK_WRITE
    call disk_io
    popad
    ret
.bad:
    mov eax, -EIO
    jmp fail

; ---------------------------------------------------------------------------------------------
; Blocks and inodes
; ---------------------------------------------------------------------------------------------

; check_blk: fails -EIO unless EAX is 0 or a block of the data region. Preserves all registers.
check_blk:
    test eax, eax
    jz .ok
    cmp eax, [data_start]
    jb .bad
    cmp eax, [total_blocks]
    jae .bad
.ok:
    ret
.bad:
    mov eax, -EIO
    jmp fail

; balloc: → EAX = the first free block at or after data_start, marked in use on the disk; 0 if the
; disk is full (nothing changed). Preserves all other registers.
balloc:
    push ebx
    push ecx
    push edx
    push esi
    mov ebx, [alloc_hint]
.bitmap_block:
    cmp ebx, [total_blocks]
    jae .full
    mov eax, ebx
    shr eax, 15
    add eax, [bitmap_start]
    call cache_get
    mov esi, eax
    mov edx, ebx                            ; EDX = end of this bitmap block's blocks
    or edx, BITS_PER_BLK - 1
    inc edx
    cmp edx, [total_blocks]
    jbe .scan
    mov edx, [total_blocks]
.scan:
    cmp ebx, edx
    jae .bitmap_block
    mov ecx, ebx
    and ecx, BITS_PER_BLK - 1
    test ecx, 31
    jnz .bit
    mov eax, ecx
    shr eax, 3
    cmp dword [esi + eax], -1               ; 32 used blocks: skip them at once
    jne .bit
    add ebx, 32
    jmp .scan
.bit:
    bt [esi], ecx
    jnc .found
    inc ebx
    jmp .scan
.found:
    bts [esi], ecx
    shr ecx, 3
    lea eax, [esi + ecx]
    mov ecx, 1
    call cache_sync
    lea eax, [ebx + 1]
    mov [alloc_hint], eax
    mov eax, ebx
    jmp .out
.full:
    mov [alloc_hint], ebx
    xor eax, eax
.out:
    pop esi
    pop edx
    pop ecx
    pop ebx
    ret

; bfree_list: ESI = ECX block numbers of the data region → clears their bitmap bits (one disk
; write per bitmap block touched), drops them from the cache, lowers alloc_hint. Preserves all.
bfree_list:
    pushad
    mov dword [bf_blk], -1
.next:
    test ecx, ecx
    jz .done
    mov ebx, [esi]
    add esi, 4
    dec ecx
    mov eax, ebx
    call cache_drop
    cmp ebx, [alloc_hint]
    jae .hint_ok
    mov [alloc_hint], ebx
.hint_ok:
    mov eax, ebx
    shr eax, 15
    add eax, [bitmap_start]
    cmp eax, [bf_blk]
    je .same
    call bf_flush
    mov [bf_blk], eax
    mov dword [bf_lo], BLOCK
    mov dword [bf_hi], 0
.same:
    call cache_get
    mov edx, ebx
    and edx, BITS_PER_BLK - 1
    btr [eax], edx
    shr edx, 3
    cmp edx, [bf_lo]
    jae .lo_ok
    mov [bf_lo], edx
.lo_ok:
    cmp edx, [bf_hi]
    jbe .next
    mov [bf_hi], edx
    jmp .next
.done:
    call bf_flush
    popad
    ret

; bf_flush: writes bfree_list's pending bitmap bytes [bf_lo, bf_hi] of block bf_blk, if any.
; Preserves all registers.
bf_flush:
    cmp dword [bf_blk], -1
    je .none
    push eax
    push ecx
    mov eax, [bf_blk]
    call cache_get
    add eax, [bf_lo]
    mov ecx, [bf_hi]
    sub ecx, [bf_lo]
    inc ecx
    call cache_sync
    mov dword [bf_blk], -1
    pop ecx
    pop eax
.none:
    ret

; bfree_one: frees block EAX (of the data region), as bfree_list. Preserves all registers.
bfree_one:
    push ecx
    push esi
    mov [freelist], eax
    mov esi, freelist
    mov ecx, 1
    call bfree_list
    pop esi
    pop ecx
    ret

; inode_ptr: EAX = inode number (< inode_count) → EAX = its 64 bytes in the cache.
; Preserves all other registers.
inode_ptr:
    push ecx
    mov ecx, eax
    shr eax, 6
    add eax, [inode_start]
    call cache_get
    and ecx, INODES_PER_BLK - 1
    shl ecx, 6
    add eax, ecx
    pop ecx
    ret

; iget: EAX = inode number, EBX = an in-memory inode → copies the inode there and records its
; number. Fails -EIO for a number outside 1 … inode_count-1. Preserves all registers.
iget:
    test eax, eax
    jz .bad
    cmp eax, [inode_count]
    jae .bad
    push eax
    push ecx
    push esi
    push edi
    mov [ebx + MI_INO], eax
    call inode_ptr
    mov esi, eax
    mov edi, ebx
    mov ecx, 16
    rep movsd
    pop edi
    pop esi
    pop ecx
    pop eax
    ret
.bad:
    mov eax, -EIO
    jmp fail

; iput: EBX = an in-memory inode → writes it to the inode table on the disk (one sector).
; Preserves all registers.
iput:
    push eax
    push ecx
    push esi
    push edi
    mov eax, [ebx + MI_INO]
    call inode_ptr
    mov edi, eax
    mov esi, ebx
    mov ecx, 16
    rep movsd
    mov ecx, 64
    call cache_sync
    pop edi
    pop esi
    pop ecx
    pop eax
    ret

; ialloc: → EAX = the lowest free inode number (≥ 1); marks nothing. Fails -ENOSPC if none is
; free. Preserves all other registers.
ialloc:
    push ecx
    mov ecx, 1
.next:
    cmp ecx, [inode_count]
    jae .full
    mov eax, ecx
    call inode_ptr
    cmp word [eax + inode.type], T_FREE
    je .found
    inc ecx
    jmp .next
.found:
    mov eax, ecx
    pop ecx
    ret
.full:
    mov eax, -ENOSPC
    jmp fail

; bmap: EBX = an in-memory inode, EAX = block index in the file → EAX = its disk block, 0 for a
; hole. Fails -EIO on an index past the largest file or a pointer outside the data region.
; Preserves all other registers.
bmap:
    cmp eax, NDIRECT
    jae .indirect
    mov eax, [ebx + inode.direct + eax*4]
    jmp check_blk
.indirect:
    sub eax, NDIRECT
    cmp eax, NINDIRECT
    jae .bad
    push ecx
    mov ecx, eax
    mov eax, [ebx + inode.indirect]
    test eax, eax
    jz .out
    call check_blk
    call cache_get
    mov eax, [eax + ecx*4]
    call check_blk
.out:
    pop ecx
    ret
.bad:
    mov eax, -EIO
    jmp fail

; bmap_alloc: EBX = an in-memory inode, EAX = block index (< MAX_BLOCKS) → EAX = its disk block,
; allocating it (and the indirect block, written zeroed) if it is a hole; EDX = 1 if the block is
; new (its contents are stale: the caller writes all of it), else 0. EAX = 0 if the disk is full,
; with nothing changed. Changes the in-memory inode (the caller writes it with iput) and the
; indirect block on the disk. Preserves all other registers.
bmap_alloc:
    push ecx
    push esi
    mov ecx, eax
    call bmap
    xor edx, edx
    test eax, eax
    jnz .out
    cmp ecx, NDIRECT
    jae .indirect
    call balloc
    test eax, eax
    jz .out
    mov [ebx + inode.direct + ecx*4], eax
    mov edx, 1
    jmp .out
.indirect:
    sub ecx, NDIRECT
    xor esi, esi                            ; ESI = 1: the indirect block is new
    cmp dword [ebx + inode.indirect], 0
    jne .have_indirect
    call balloc
    test eax, eax
    jz .out
    mov [ebx + inode.indirect], eax
    mov esi, 1
    push ecx
    call cache_get_new
    mov ecx, BLOCK
    call cache_sync
    pop ecx
.have_indirect:
    call balloc
    test eax, eax
    jnz .set
    test esi, esi                           ; full: take back a new indirect block
    jz .out
    mov eax, [ebx + inode.indirect]
    mov dword [ebx + inode.indirect], 0
    call bfree_one
    xor eax, eax
    jmp .out
.set:
    mov edx, eax
    mov eax, [ebx + inode.indirect]
    call cache_get
    lea eax, [eax + ecx*4]
    mov [eax], edx
    mov ecx, 4
    call cache_sync
    mov eax, edx
    mov edx, 1
.out:
    pop esi
    pop ecx
    ret

; itrunc: EBX = an in-memory inode → frees every block it uses (data, indirect), sets its size and
; pointers to 0 and writes it. Preserves all registers.
itrunc:
    pushad
    xor edx, edx                            ; EDX = blocks collected in freelist
    xor ecx, ecx
.direct:
    mov eax, [ebx + inode.direct + ecx*4]
    test eax, eax
    jz .direct_next
    call check_blk
    mov [freelist + edx*4], eax
    inc edx
    mov dword [ebx + inode.direct + ecx*4], 0
.direct_next:
    inc ecx
    cmp ecx, NDIRECT
    jb .direct
    mov eax, [ebx + inode.indirect]
    test eax, eax
    jz .no_indirect
    call check_blk
    call cache_get
    mov esi, eax
    xor ecx, ecx
.entry:
    mov eax, [esi + ecx*4]
    test eax, eax
    jz .entry_next
    call check_blk
    mov [freelist + edx*4], eax
    inc edx
.entry_next:
    inc ecx
    cmp ecx, NINDIRECT
    jb .entry
    mov eax, [ebx + inode.indirect]
    mov [freelist + edx*4], eax
    inc edx
    mov dword [ebx + inode.indirect], 0
.no_indirect:
    test edx, edx
    jnz .changed
    cmp dword [ebx + inode.size], 0
    je .out                                 ; already empty: nothing to write
.changed:
    mov dword [ebx + inode.size], 0
    call iput
    mov esi, freelist
    mov ecx, edx
    call bfree_list
.out:
    popad
    ret

; ---------------------------------------------------------------------------------------------
; Directories and paths
; ---------------------------------------------------------------------------------------------

; dir_lookup: EBX = an in-memory directory, name at [name_ptr], [name_len] bytes (1–27) → EAX =
; the inode number of that entry, 0 if there is none; [found_slot] = its entry index. When not
; found, [free_slot] = the first empty entry index (-1 if none). Preserves all other registers.
dir_lookup:
    push ebx
    push ecx
    push edx
    push esi
    push edi
    push ebp
    mov dword [free_slot], -1
    mov ebp, [ebx + inode.size]
    shr ebp, 5                              ; EBP = entries
    xor edx, edx                            ; EDX = entry index
.block:
    cmp edx, ebp
    jae .none
    mov eax, edx
    shr eax, 7
    call bmap
    test eax, eax
    jnz .cached
    cmp dword [free_slot], -1               ; a hole: all its slots are empty
    jne .skip_hole
    mov [free_slot], edx
.skip_hole:
    or edx, ENT_PER_BLK - 1
    inc edx
    jmp .block
.cached:
    call cache_get
    mov esi, eax
.entry:
    mov edi, edx
    and edi, ENT_PER_BLK - 1
    shl edi, 5
    add edi, esi                            ; EDI = the entry
    cmp dword [edi], 0
    jne .compare
    cmp dword [free_slot], -1
    jne .advance
    mov [free_slot], edx
    jmp .advance
.compare:
    mov ecx, [name_len]
    cmp byte [edi + 4 + ecx], 0             ; same length (names are NUL-padded)
    jne .advance
    push esi
    push edi
    lea edi, [edi + 4]
    mov esi, [name_ptr]
    repe cmpsb
    pop edi
    pop esi
    jne .advance
    mov [found_slot], edx
    mov eax, [edi]
    jmp .out
.advance:
    inc edx
    cmp edx, ebp
    jae .none
    test edx, ENT_PER_BLK - 1
    jnz .entry
    jmp .block
.none:
    xor eax, eax
.out:
    pop ebp
    pop edi
    pop esi
    pop edx
    pop ecx
    pop ebx
    ret

; dir_add: EBX = an in-memory directory that dir_lookup just searched in vain for the name at
; [name_ptr]/[name_len], EAX = an inode number → writes the entry into the first empty slot, else
; grows the directory by 32 bytes (writes the directory inode). Fails -ENOSPC with nothing changed
; if a block is needed and none is free. Preserves all registers.
dir_add:
    pushad
    mov edi, eax                            ; EDI = inode number
    mov ebp, [free_slot]                    ; EBP = entry index
    cmp ebp, -1
    jne .slot
    mov ebp, [ebx + inode.size]
    shr ebp, 5
    cmp ebp, MAX_BLOCKS * ENT_PER_BLK
    jae .full
.slot:
    mov eax, ebp
    shr eax, 7
    call bmap_alloc
    test eax, eax
    jz .full
    mov esi, edx                            ; ESI = 1: a new block
    test edx, edx
    jz .old_block
    call cache_get_new
    jmp .fill
.old_block:
    call cache_get
.fill:
    mov edx, ebp
    and edx, ENT_PER_BLK - 1
    shl edx, 5
    add edx, eax                            ; EDX = the entry
    push eax
    push edi
    mov [edx], edi
    lea edi, [edx + 4]
    xor eax, eax
    mov ecx, (DIRENT - 4) / 4
    rep stosd
    lea edi, [edx + 4]
    push esi
    mov esi, [name_ptr]
    mov ecx, [name_len]
    rep movsb
    pop esi
    pop edi
    pop eax
    test esi, esi
    jz .sync_entry
    mov ecx, BLOCK                          ; a new block: write all of it
    call cache_sync
    jmp .size
.sync_entry:
    mov eax, edx
    mov ecx, DIRENT
    call cache_sync
.size:
    inc ebp
    shl ebp, 5
    cmp ebp, [ebx + inode.size]
    jbe .same_size
    mov [ebx + inode.size], ebp
    jmp .write_inode
.same_size:
    test esi, esi
    jz .done
.write_inode:
    call iput
.done:
    popad
    ret
.full:
    mov eax, -ENOSPC
    jmp fail

; dir_clear: EBX = an in-memory directory, EAX = an entry index (< its entries) → zeroes that entry
; on the disk. Preserves all registers.
dir_clear:
    pushad
    mov edx, eax
    shr eax, 7
    call bmap
    test eax, eax
    jz .done
    call cache_get
    and edx, ENT_PER_BLK - 1
    shl edx, 5
    lea edi, [eax + edx]
    push edi
    xor eax, eax
    mov ecx, DIRENT / 4
    rep stosd
    pop eax
    mov ecx, DIRENT
    call cache_sync
.done:
    popad
    ret

; dir_empty: EBX = an in-memory directory → EAX = 1 if it has no entries in use, else 0.
; Preserves all other registers.
dir_empty:
    push ecx
    push edx
    push esi
    mov ecx, [ebx + inode.size]
    shr ecx, 5
    xor edx, edx
.block:
    cmp edx, ecx
    jae .empty
    mov eax, edx
    shr eax, 7
    call bmap
    test eax, eax
    jnz .read
    or edx, ENT_PER_BLK - 1
    inc edx
    jmp .block
.read:
    call cache_get
    mov esi, eax
.entry:
    mov eax, edx
    and eax, ENT_PER_BLK - 1
    shl eax, 5
    cmp dword [esi + eax], 0
    jne .used
    inc edx
    cmp edx, ecx
    jae .empty
    test edx, ENT_PER_BLK - 1
    jnz .entry
    jmp .block
.used:
    xor eax, eax
    jmp .out
.empty:
    mov eax, 1
.out:
    pop esi
    pop edx
    pop ecx
    ret

; path_arg: NUL-terminates the request's payload (the path) in msgbuf. Fails -ENOENT for an empty
; path. Preserves all registers but EAX.
path_arg:
    mov eax, [req_len]
    mov byte [msgbuf + eax], 0
    cmp byte [msgbuf], 0
    je .empty
    ret
.empty:
    mov eax, -ENOENT
    jmp fail

; resolve: walks the path in msgbuf from the root. Leaves in mi_p the directory that holds the last
; component and that component in [name_ptr]/[name_len]; [is_root] = 1 if the path is "/" itself
; (then mi_p is the root); [trailing_slash] = 1 if a '/' follows the last component. Fails -ENOENT (a directory on the way is missing), -ENOTDIR (one is a
; file), -ENAMETOOLONG (a component over 27 bytes). Clobbers EAX, EBX, ECX, ESI, EDI.
resolve:
    mov dword [is_root], 0
    mov dword [trailing_slash], 0
    mov eax, ROOT_INO
    mov ebx, mi_p
    call iget
    mov esi, msgbuf
.skip_root:
    cmp byte [esi], '/'
    jne .start
    inc esi
    jmp .skip_root
.start:
    cmp byte [esi], 0
    jne .component
    mov dword [is_root], 1
    ret
.component:
    mov edi, esi
.scan:
    mov al, [edi]
    test al, al
    jz .scanned
    cmp al, '/'
    je .scanned
    inc edi
    jmp .scan
.scanned:
    mov ecx, edi
    sub ecx, esi
    cmp ecx, NAME_MAX
    ja .too_long
    mov [name_ptr], esi
    mov [name_len], ecx
    mov esi, edi
.skip:
    cmp byte [esi], '/'
    jne .skipped
    inc esi
    jmp .skip
.skipped:
    cmp byte [esi], 0
    je .last
    call dir_lookup                         ; a directory on the way
    test eax, eax
    jz .missing
    call iget
    cmp word [ebx + inode.type], T_DIR
    jne .not_dir
    jmp .component
.last:
    cmp esi, edi
    je .no_slash
    mov dword [trailing_slash], 1           ; "name/": only a directory will do
.no_slash:
    ret
.too_long:
    mov eax, -ENAMETOOLONG
    jmp fail
.missing:
    mov eax, -ENOENT
    jmp fail
.not_dir:
    mov eax, -ENOTDIR
    jmp fail

; create: EAX = T_FILE or T_DIR → a new empty inode of that type, entered in mi_p under the name
; dir_lookup did not find; EAX = its number, mi_a = the inode. Fails -ENOSPC (no inode or no block)
; with nothing changed. Preserves all other registers.
create:
    push ebx
    push ecx
    push edi
    push eax
    call ialloc
    mov ebx, mi_p
    call dir_add
    mov edi, mi_a
    mov ecx, eax
    xor eax, eax
    push ecx
    mov ecx, 16
    rep stosd
    pop ecx
    mov [mi_a + MI_INO], ecx
    pop eax
    mov [mi_a + inode.type], ax
    mov word [mi_a + inode.links], 1
    mov ebx, mi_a
    call iput
    mov eax, ecx
    pop edi
    pop ecx
    pop ebx
    ret

; handle: EAX = an inode number a client sent → mi_a = that inode. Fails -EBADF if the number is
; out of range or the inode is free. Preserves all registers.
handle:
    test eax, eax
    jz .bad
    cmp eax, [inode_count]
    jae .bad
    push ebx
    mov ebx, mi_a
    call iget
    pop ebx
    cmp word [mi_a + inode.type], T_FREE
    je .bad
    ret
.bad:
    mov eax, -EBADF
    jmp fail

; ---------------------------------------------------------------------------------------------
; The requests. Each is entered by dispatch's jump with the request in req_*, fills rep_* (or
; fails) and returns to the main loop. They clobber all registers but ESP.
; ---------------------------------------------------------------------------------------------

; FS_OPEN: w1 = flags, payload = path → w0 = inode, w1 = size, w2 = type.
fs_open:
    call path_arg
    call resolve
    mov edx, [req_w1]
    mov eax, ROOT_INO
    cmp dword [is_root], 0
    jne .exists
    mov ebx, mi_p
    call dir_lookup
    test eax, eax
    jz .missing
.exists:
    mov ecx, edx
    and ecx, O_CREAT | O_EXCL
    cmp ecx, O_CREAT | O_EXCL
    je .eexist
    mov ebx, mi_a
    call iget
    movzx ecx, word [mi_a + inode.type]
    cmp ecx, T_DIR
    je .dir
    cmp ecx, T_FILE
    jne .eio
    test edx, O_DIRECTORY
    jnz .enotdir
    cmp dword [trailing_slash], 0
    jne .enotdir
    test edx, O_TRUNC
    jz .answer
    call itrunc
    jmp .answer
.dir:
    test edx, O_ACCMODE | O_TRUNC | O_CREAT
    jnz .eisdir                             ; a directory opens read-only
.answer:
    mov eax, [mi_a + MI_INO]
    mov edx, [mi_a + inode.size]
    jmp reply
.missing:
    test edx, O_CREAT
    jz .enoent
    test edx, O_DIRECTORY
    jnz .enoent                             ; O_CREAT makes files, never directories
    cmp dword [trailing_slash], 0
    jne .eisdir                             ; "new/": not a file name (as Linux)
    mov eax, T_FILE
    call create
    xor edx, edx
    mov ecx, T_FILE
    jmp reply
.eexist:
    mov eax, -EEXIST
    jmp fail
.eio:
    mov eax, -EIO
    jmp fail
.enotdir:
    mov eax, -ENOTDIR
    jmp fail
.eisdir:
    mov eax, -EISDIR
    jmp fail
.enoent:
    mov eax, -ENOENT
    jmp fail

; FS_READ: w1 = inode, w2 = offset → w0 = bytes (up to IPC_MAX, to the end of the file), payload.
; Holes read as zeros; a whole aligned block is one disk read straight into the reply buffer.
fs_read:
    mov eax, [req_w1]
    call handle
    cmp word [mi_a + inode.type], T_DIR
    je .eisdir
    mov ebx, mi_a
    mov eax, [req_w2]
    mov [x_off], eax
    mov dword [x_pos], 0
    mov ecx, [mi_a + inode.size]
    sub ecx, eax
    jbe .answer                             ; at or past the end: 0 bytes
    cmp ecx, IPC_MAX
    jbe .count
    mov ecx, IPC_MAX
.count:
    mov [x_count], ecx
.chunk:
    mov eax, [x_pos]
    cmp eax, [x_count]
    jae .answer
    add eax, [x_off]
    mov edx, eax
    and edx, BLOCK - 1                      ; EDX = offset in the block
    shr eax, 12
    call bmap                               ; EAX = disk block or 0
    mov ecx, BLOCK
    sub ecx, edx
    mov esi, [x_count]
    sub esi, [x_pos]
    cmp ecx, esi
    jbe .len
    mov ecx, esi                            ; ECX = bytes from this block
.len:
    mov edi, [x_pos]
    add edi, msgbuf                         ; EDI = where they go
    test eax, eax
    jz .hole
    cmp ecx, BLOCK
    jne .partial
    lea ecx, [eax*8]                        ; the whole block: straight into the reply
    mov edx, SECTORS_PER_BLK
    mov esi, edi
    mov eax, MSG_DISK_READ
    call disk_io
    add dword [x_pos], BLOCK
    jmp .chunk
.partial:
    push ecx
    lea esi, [edx + ecx - 1]
    shr esi, 9                              ; last sector
    mov ebp, edx
    shr ebp, 9                              ; first sector
    sub esi, ebp
    inc esi
    push edx
    mov edx, esi                            ; sectors
    lea ecx, [eax*8 + ebp]                  ; LBA
    shl ebp, 9
    lea esi, [scratch + ebp]
    mov eax, MSG_DISK_READ
    call disk_io
    pop edx
    pop ecx
    lea esi, [scratch + edx]
    add [x_pos], ecx
    rep movsb
    jmp .chunk
.hole:
    add [x_pos], ecx
    xor eax, eax
    rep stosb
    jmp .chunk
.answer:
    mov eax, [x_pos]
    mov [rep_w0], eax
    mov [rep_len], eax
    ret
.eisdir:
    mov eax, -EISDIR
    jmp fail

; FS_WRITE: w1 = inode, w2 = offset, payload = data → w0 = bytes written, w1 = new size. Fills
; holes and grows the file, allocating blocks as needed; a short count means the disk filled up
; (-ENOSPC if nothing fit). The inode is written once, at the end.
fs_write:
    mov eax, [req_w1]
    call handle
    cmp word [mi_a + inode.type], T_DIR
    je .eisdir
    mov ebx, mi_a
    mov dword [x_pos], 0
    mov dword [x_full], 0
    mov eax, [req_w2]
    mov [x_off], eax
    mov ecx, [req_len]
    test ecx, ecx
    jz .answer
    cmp eax, MAX_FILE
    jae .enospc                             ; past the largest file
    mov edx, MAX_FILE
    sub edx, eax
    cmp ecx, edx
    jbe .count
    mov ecx, edx
.count:
    mov [x_count], ecx
.chunk:
    mov eax, [x_pos]
    cmp eax, [x_count]
    jae .done
    add eax, [x_off]
    mov ebp, eax
    and ebp, BLOCK - 1                      ; EBP = offset in the block
    shr eax, 12
    call bmap_alloc                         ; EAX = disk block, EDX = 1 if new
    test eax, eax
    jz .full
    mov ecx, BLOCK
    sub ecx, ebp
    mov esi, [x_count]
    sub esi, [x_pos]
    cmp ecx, esi
    jbe .len
    mov ecx, esi                            ; ECX = bytes into this block
.len:
    mov esi, [x_pos]
    add esi, msgbuf                         ; ESI = the data
    cmp ecx, BLOCK
    jne .partial
    lea ecx, [eax*8]                        ; the whole block: straight from the request
    mov edx, SECTORS_PER_BLK
    mov eax, MSG_DISK_WRITE
    call disk_io
    mov ecx, BLOCK
    jmp .advance
.partial:
    test edx, edx
    jz .old_block
    ; a new block: zeros around the data, all 8 sectors written
    push ecx
    push eax
    mov edi, scratch
    xor eax, eax
    mov ecx, BLOCK / 4
    rep stosd
    pop eax
    pop ecx
    push ecx
    lea edi, [scratch + ebp]
    rep movsb
    lea ecx, [eax*8]
    mov edx, SECTORS_PER_BLK
    mov esi, scratch
    mov eax, MSG_DISK_WRITE
    call disk_io
    pop ecx
    jmp .advance
.old_block:
    ; an existing block: read the sectors the data touches (unless it covers them whole), patch,
    ; write them back
    mov [x_len], ecx
    mov [x_src], esi
    lea edx, [ebp + ecx - 1]
    shr edx, 9                              ; last sector
    mov edi, ebp
    shr edi, 9                              ; first sector
    sub edx, edi
    inc edx                                 ; EDX = sectors
    lea ecx, [eax*8 + edi]                  ; ECX = LBA
    shl edi, 9
    lea esi, [scratch + edi]                ; ESI = their place in scratch
    test ebp, SECTOR_SIZE - 1
    jnz .read_old
    mov eax, ebp
    add eax, [x_len]
    test eax, SECTOR_SIZE - 1
    jz .patch                               ; whole sectors: nothing to keep
.read_old:
    mov eax, MSG_DISK_READ
    call disk_io
.patch:
    push ecx
    push esi
    mov esi, [x_src]
    lea edi, [scratch + ebp]
    mov ecx, [x_len]
    rep movsb
    pop esi
    pop ecx
    mov eax, MSG_DISK_WRITE
    call disk_io
    mov ecx, [x_len]
.advance:
    add [x_pos], ecx
    mov eax, [x_off]
    add eax, [x_pos]
    cmp eax, [mi_a + inode.size]
    jbe .chunk
    mov [mi_a + inode.size], eax
    jmp .chunk
.full:
    mov dword [x_full], 1
.done:
    cmp dword [x_pos], 0
    je .nothing
    call iput
.answer:
    mov eax, [x_pos]
    mov edx, [mi_a + inode.size]
    xor ecx, ecx
    jmp reply
.nothing:
    cmp dword [x_full], 0
    je .answer
.enospc:
    mov eax, -ENOSPC
    jmp fail
.eisdir:
    mov eax, -EISDIR
    jmp fail

; FS_CLOSE: w1 = inode → w0 = 0. The server keeps no per-open state.
fs_close:
    xor eax, eax
    xor edx, edx
    xor ecx, ecx
    jmp reply

; FS_UNLINK: w1 = 0 (a file) or 1 (an empty directory), payload = path → w0 = 0. Frees the
; inode's blocks and the inode, and empties its directory entry.
fs_unlink:
    call path_arg
    call resolve
    cmp dword [is_root], 0
    jne .ebusy
    mov ebx, mi_p
    call dir_lookup
    test eax, eax
    jz .enoent
    mov ebx, mi_a
    call iget
    movzx ecx, word [mi_a + inode.type]
    cmp dword [req_w1], 0
    jne .rmdir
    cmp ecx, T_DIR
    je .eisdir
    cmp ecx, T_FILE
    jne .eio
    cmp dword [trailing_slash], 0
    jne .enotdir
    jmp .remove
.rmdir:
    cmp ecx, T_DIR
    jne .enotdir
    call dir_empty
    test eax, eax
    jz .enotempty
.remove:
    mov eax, [found_slot]
    mov ebx, mi_p
    call dir_clear
    mov ebx, mi_a
    call itrunc
    mov edi, mi_a                           ; the inode becomes free (all zero)
    xor eax, eax
    mov ecx, 16
    rep stosd
    call iput
    xor eax, eax
    xor edx, edx
    xor ecx, ecx
    jmp reply
.ebusy:
    mov eax, -EBUSY
    jmp fail
.enoent:
    mov eax, -ENOENT
    jmp fail
.eisdir:
    mov eax, -EISDIR
    jmp fail
.enotdir:
    mov eax, -ENOTDIR
    jmp fail
.enotempty:
    mov eax, -ENOTEMPTY
    jmp fail
.eio:
    mov eax, -EIO
    jmp fail

; FS_MKDIR: payload = path → w0 = 0. The new directory is empty (size 0, no blocks).
fs_mkdir:
    call path_arg
    call resolve
    cmp dword [is_root], 0
    jne .eexist
    mov ebx, mi_p
    call dir_lookup
    test eax, eax
    jnz .eexist
    mov eax, T_DIR
    call create
    xor eax, eax
    xor edx, edx
    xor ecx, ecx
    jmp reply
.eexist:
    mov eax, -EEXIST
    jmp fail

; FS_READDIR: w1 = a directory inode, w2 = entry index → w0 = bytes of linux_dirent records (as
; many whole records as fit in IPC_MAX), w1 = the index to continue from. Empty slots are skipped.
fs_readdir:
    mov eax, [req_w1]
    call handle
    cmp word [mi_a + inode.type], T_DIR
    jne .enotdir
    mov ebx, mi_a
    mov ebp, [mi_a + inode.size]
    shr ebp, 5                              ; EBP = entries
    mov edx, [req_w2]                       ; EDX = entry index
    mov dword [x_pos], 0                    ; bytes of records
.entry:
    cmp edx, ebp
    jae .answer
    mov eax, edx
    shr eax, 7
    call bmap
    test eax, eax
    jz .next                                ; a hole: empty slots
    call cache_get
    mov esi, edx
    and esi, ENT_PER_BLK - 1
    shl esi, 5
    add esi, eax                            ; ESI = the entry
    mov eax, [esi]
    test eax, eax
    jz .next
    xor ecx, ecx                            ; ECX = name length (at most 27)
.name_len:
    cmp byte [esi + 4 + ecx], 0
    je .got_len
    inc ecx
    cmp ecx, NAME_MAX
    jb .name_len
.got_len:
    lea edi, [ecx + 12 + 3]                 ; d_reclen = 10 + name + NUL + type, 4-aligned
    and edi, ~3
    push edi
    add edi, [x_pos]
    cmp edi, IPC_MAX
    pop edi
    ja .answer                              ; the record does not fit: continue here next time
    push edi
    mov edi, [x_pos]
    add edi, msgbuf                         ; EDI = the record
    mov [edi], eax                          ; d_ino
    lea eax, [edx + 1]
    mov [edi + 4], eax                      ; d_off = the next entry's index
    pop eax
    mov [edi + 8], ax                       ; d_reclen
    add [x_pos], eax
    push eax
    push ecx
    push edi
    lea ecx, [eax - 10]                     ; zero the name area, then copy the name
    add edi, 10
    xor eax, eax
    rep stosb
    pop edi
    pop ecx
    push edi
    push esi
    add esi, 4
    add edi, 10
    rep movsb
    pop esi
    pop edi
    pop ecx                                 ; ECX = d_reclen
    mov eax, [esi]                          ; the type byte, from the entry's inode
    test eax, eax
    jz .bad_entry
    cmp eax, [inode_count]
    jae .bad_entry
    call inode_ptr
    movzx eax, word [eax + inode.type]
    mov byte [edi + ecx - 1], DT_DIR
    cmp eax, T_DIR
    je .next
    mov byte [edi + ecx - 1], DT_REG
    cmp eax, T_FILE
    je .next
.bad_entry:
    mov byte [edi + ecx - 1], 0             ; DT_UNKNOWN: a damaged entry
.next:
    inc edx
    jmp .entry
.answer:
    mov eax, [x_pos]
    mov [rep_w0], eax
    mov [rep_len], eax
    mov [rep_w1], edx
    ret
.enotdir:
    mov eax, -ENOTDIR
    jmp fail
