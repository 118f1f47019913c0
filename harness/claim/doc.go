// Package claim gives runners that share a results tree — on one machine, or on
// many machines over NFS or Lustre — per-cell claims, so that any number of
// `alexbench run` processes split a sweep dynamically and no cell is ever run
// by two of them at once.
//
// A claim is a folder (one per cell key, e.g. results/.claims/<key>/: a cell
// several matrices list is one claim)
// holding numbered generation files 1, 2, 3, …: whoever created the highest
// generation holds the claim. Every generation file is written complete to a
// unique temp name first and then hard-linked to its number, which fails with
// EEXIST if that number exists: link(2) is atomic on local filesystems and on
// NFS (where O_EXCL on open was not, before NFSv3, and link is what the
// classic NFS-safe lock recipe uses; a lost reply is caught by checking the
// temp file's link count). So of any number of workers that try to create the
// same generation, exactly one wins, on every host.
//
// A generation file holds its holder's host, PID (with the process's start
// time, the kernel's boot ID and its PID namespace, so a reused PID or a
// container that shares a hostname is never mistaken for the holder), the
// claim's start time and a heartbeat, which a goroutine rewrites (temp file
// and rename, by the holder only) every Options.Interval while the cell runs.
//
// A claim is free when it has no generation, when its holder released it, or
// when it is stale: its heartbeat is older than Options.Timeout, or its PID is
// gone on this same machine. Taking over a stale claim is creating the next
// generation, with the same O_EXCL link: two workers taking over the same
// stale claim race for one file name and only one wins; nothing is ever
// renamed or deleted on the way, so there is no window in which a third
// worker sees no claim. The winner's Claim says whom it took over from and
// why (TookOver), for the log; the generation file keeps it too.
//
// Generations are never removed: creating generation g+1 always follows
// having seen generation g, so a removed number could be created again by a
// worker that never saw it. A cell gets one generation per run of it (plus
// one per Check and per takeover), a few small files.
//
// Before publishing a result, the holder calls Check: it creates the next
// generation itself, which succeeds only if nobody has taken the claim over
// (a stat could be answered from an NFS client's cache; an O_EXCL link is
// decided by the server). A holder that lost its claim — it was stopped for
// longer than the timeout and someone took over — learns it there, from
// Heartbeat, or from Lost, and must not publish.
//
// flock(2) is never used: it is not reliable across NFS clients. Heartbeats
// compare wall clocks of different hosts, so they assume clocks agree to well
// within Options.Timeout (NTP does; the default timeout is two minutes).
package claim
