// Package guest is the PID-1 side of a vmtests guest: the tracebench binary,
// started by the kernel as /init, sets the machine up (file systems, modules,
// loopback, the results port), runs the command it was booted for, reports
// its exit status and powers the machine off.
//
// Host and guest share this file's conventions: where the initramfs puts the
// command line and the module list, the results port's name, and the framing
// of what the guest writes to the port.
package guest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Paths in the initramfs and the results port's name.
const (
	// ArgsFile holds the command line for the guest run as a JSON array.
	ArgsFile = "/tracebench/args"
	// ModulesFile lists the modules to load, one path per line, in order.
	ModulesFile = "/tracebench/modules"
	// SharesFile lists the host directories shared with the guest (9p),
	// one "tag mount-point" pair per line, mounted read-only after the
	// modules are loaded.
	SharesFile = "/tracebench/shares"
	// PortName names the virtio-serial port results travel on.
	PortName = "tracebench.results"
)

// Frame kinds. Every frame is kind, a little-endian uint32 length, payload;
// a transcript is Start, any number of Data, then Exit with the status.
const (
	frameStart = 'S'
	frameData  = 'D'
	frameExit  = 'X'
)

// ErrBadFrame is returned (wrapped) for bytes on the port that are not frames.
var ErrBadFrame = errors.New("malformed results frame")

func writeFrame(w io.Writer, kind byte, payload []byte) error {
	hdr := make([]byte, 5, 5+len(payload))
	hdr[0] = kind
	binary.LittleEndian.PutUint32(hdr[1:], uint32(len(payload)))
	_, err := w.Write(append(hdr, payload...))
	return err
}

// Transcript is what the host read from the results port.
type Transcript struct {
	Started bool   // the guest reached /init and opened the port
	Output  []byte // the data the guest wrote, frames removed
	Exited  bool   // the guest reported an exit status
	Status  int
}

// Decode reads a port transcript. A transcript cut short (the guest died
// mid-frame) decodes as far as it goes, with Exited false.
func Decode(b []byte) (Transcript, error) {
	var t Transcript
	for len(b) >= 5 {
		kind, n := b[0], int(binary.LittleEndian.Uint32(b[1:5]))
		if kind != frameStart && kind != frameData && kind != frameExit {
			return t, fmt.Errorf("%w: unknown kind %q", ErrBadFrame, kind)
		}
		if len(b) < 5+n {
			break
		}
		payload := b[5 : 5+n]
		b = b[5+n:]
		switch {
		case kind == frameStart && !t.Started:
			t.Started = true
		case kind == frameData && t.Started && !t.Exited:
			t.Output = append(t.Output, payload...)
		case kind == frameExit && t.Started && !t.Exited && n == 4:
			t.Exited, t.Status = true, int(int32(binary.LittleEndian.Uint32(payload)))
		default:
			return t, fmt.Errorf("%w: kind %q with %d bytes", ErrBadFrame, kind, n)
		}
	}
	return t, nil
}

// frameWriter turns each Write into one data frame.
type frameWriter struct{ w io.Writer }

func (f frameWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := writeFrame(f.w, frameData, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
