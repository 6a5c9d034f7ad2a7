package frontend

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openTerminal opens a pseudo-terminal for a tool that buffers its output
// unless it writes to a terminal (C stdio does): the tool gets tty as its
// standard output and error, as when run from a shell, and tracebench
// reads what it prints, line by line as it prints it, from master. Output
// post-processing is off so that lines end in "\n" alone. Reading master
// fails with EIO once no process holds tty any more: the end of output.
func openTerminal() (master, tty *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	fail := func(op string, err error) (*os.File, *os.File, error) {
		master.Close()
		return nil, nil, fmt.Errorf("pseudo-terminal: %s: %w", op, err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		return fail("unlock", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		return fail("number", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return fail("open its terminal", err)
	}
	t, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err == nil {
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO
		err = unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, t)
	}
	if err != nil {
		tty.Close()
		return fail("set raw output", err)
	}
	return master, tty, nil
}
