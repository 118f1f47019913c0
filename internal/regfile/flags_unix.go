//go:build unix

package regfile

import "syscall"

// openFlags: O_NONBLOCK so opening a FIFO does not wait for a writer;
// O_NOCTTY so opening a terminal device never makes it ours.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY
