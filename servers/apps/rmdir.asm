; rmdir dir…: removes each directory (it must be empty). Errors go to stderr as
; "rmdir: <dir>: <error>" and make the exit status 1; no argument is a usage error (exit 1).
%define PATHCMD_NAME "rmdir"
%define PATHCMD_CALL SYS_rmdir
%include "pathcmd.inc"
