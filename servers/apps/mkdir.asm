; mkdir dir…: creates each directory (its parent must exist). Errors go to stderr as
; "mkdir: <dir>: <error>" and make the exit status 1; no argument is a usage error (exit 1).
%define PATHCMD_NAME "mkdir"
%define PATHCMD_CALL SYS_mkdir
%include "pathcmd.inc"
