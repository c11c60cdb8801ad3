; Grader server (lab ipc, "deadlock"): ipca, which calls ipcb as it starts (ipcpeer.inc).
%define PEER "ipcb"
%include "ipcpeer.inc"
