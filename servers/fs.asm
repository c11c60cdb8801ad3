; fs: the ringside file server (ring 3). It keeps the RSFS v1 file system (docs/image.md) on the disk
; behind the disk server and answers the FS_* protocol (docs/microkernel.md, "Server protocols"):
; inode numbers are the handles, the kernel keeps the offsets.
;
; The job, MINIX style (the loop is the server skeleton, servers/lib/server.inc):
;
;     mount                  look up "disk", read and check the superblock
;     forever:
;         reply + receive    ipc_reply_recv: answer the previous client, take the next request
;         dispatch on w0     FS_OPEN … FS_READDIR; anything else is -ENOSYS
;         do the work        the handler returns the reply (EAX = w0, EDX = w1, EBP = w2, EDI =
;                            payload bytes in msgbuf) or fails with server_fail
;
; The layers, bottom up, one file each in servers/fs/ (the way xv6's fs.c is sectioned):
;
;     format.inc     the format on the disk and the mounted geometry     (xv6 fs.h)
;     bio.inc        disk_io and the block cache: bget bread bwrite      (xv6 bio.c)
;     blocks.inc     the block allocator: balloc bfree                   (fs.c "Blocks")
;     inodes.inc     the inode table: ialloc iload iupdate               (fs.c "Inodes")
;     content.inc    a file's blocks and bytes: bmap readi writei itrunc (fs.c "Inode content")
;     dirs.inc       directory entries: dirlookup dirlink                (fs.c "Directories")
;     paths.inc      path names: nameiparent                             (fs.c "Paths")
;     requests.inc   the FS_* handlers and create                        (xv6 sysfile.c)
;     repair.inc     the repair at mount: free what a crash leaked       (a small fsck)
;
; Rules every layer keeps:
; - Write-through. Every change to the bitmap, the inode table or a directory is written to the disk
;   before the reply goes out, so the image is consistent after every request. The block cache only
;   saves reads; it is never dirty. Writes send just the 512-byte sectors that changed.
; - Crash-safe order (docs/image.md, "Crash safety"): a block's bitmap bit before its contents, its
;   contents before the pointer to it, an inode before the entry naming it, the size with (or after)
;   the pointers; freeing goes the other way. A server killed at any instruction can only leak, and
;   mount repairs leaks (repair.inc).
; - Allocation is exactly docs/image.md's: first-fit blocks from data_start (alloc_hint is only the
;   lowest block that may be free), the lowest free inode, the first empty directory slot, else the
;   directory grows by 32 bytes.
; - Errors unwind: server_fail (EAX = -errno) drops the request's stack and answers it with that
;   error, so a routine that returns has succeeded. A failed disk call answers -EIO and empties the
;   cache; if the disk server is gone (-ESRCH), the next request looks it up again. Until a mount
;   succeeds, every request is answered -EIO. Nothing a client sends (inode numbers, offsets,
;   lengths, paths) is trusted, nor are the block pointers and inode numbers read from the disk.

%include "ringside.inc"
%include "server.inc"
%include "fs/format.inc"
%include "fs/bio.inc"
%include "fs/blocks.inc"
%include "fs/inodes.inc"
%include "fs/content.inc"
%include "fs/dirs.inc"
%include "fs/paths.inc"
%include "fs/requests.inc"
%include "fs/repair.inc"

section .data
disk_name   db "disk", 0
SERVER msgbuf, IPC_MAX, server_ignore, MSG_FS_OPEN, fs_open, fs_read, fs_write, fs_close, fs_unlink, fs_mkdir, fs_readdir

section .bss
alignb 16
msgbuf          resb BLOCK + 16             ; IPC buffer: request payload in, reply payload out (+ a NUL)

section .text
global _start

; The server: mount if it can (a failure is only remembered: mounted = 0), then the skeleton's loop.
; Never returns.
_start:
    cld
    mov ebx, mount
    call server_try
    jmp server_loop

; require_mount: returns once the file system is mounted, mounting it first if it is not; fails -EIO
; if the disk is still unusable. Clobbers all registers but ESP.
require_mount:
    cmp dword [mounted], 0
    je mount
    ret

; mount: looks up the disk server, checks the superblock against docs/image.md and the root inode.
; Sets the file system globals and mounted = 1, or fails -EIO. Clobbers all registers but ESP.
mount:
    mov dword [mounted], 0
    call binit
    call disk_find                          ; (waits a little for a disk being restarted)
    jc .bad
.size:                                      ; the disk's size in sectors (if the disk server can tell)
    mov ebx, [disk_ep]
    mov ecx, MSG_DISK_SIZE
    xor edx, edx
    xor ebp, ebp
    xor edi, edi
    mov esi, scratch
    mov eax, SYS_ipc_call
    int 0x80
    test eax, eax
    jz .sized
    call disk_find                          ; it went away: wait for it again
    jnc .size
    jmp .bad
.sized:
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
    call iload
    cmp word [mi_a + inode.type], T_DIR
    jne .bad
    call repair                             ; free what a crash may have leaked
    mov dword [mounted], 1
    ret
.bad:
    mov dword [mounted], 0
    mov eax, -EIO
    jmp server_fail
