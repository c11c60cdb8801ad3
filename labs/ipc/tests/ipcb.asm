; Grader server (lab ipc, "deadlock"): ipcb, which calls ipca as it starts (ipcpeer.inc).
%define PEER "ipca"
%include "ipcpeer.inc"
