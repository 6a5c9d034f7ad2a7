package auditnl

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Features is the kernel's struct audit_features (Linux 3.13+): switches
// that govern who may change a task's login uid, the value auid rules
// compare against.
type Features struct {
	Version  uint32
	Mask     uint32
	Features uint32 // enabled feature bits
	Lock     uint32 // bits that can no longer change until reboot
}

// LoginUIDImmutable reports whether a login uid, once set, can never change
// (AUDIT_FEATURE_LOGINUID_IMMUTABLE). When set, StartWithLoginUID fails for
// a thread whose login uid is already set.
func (f Features) LoginUIDImmutable() bool {
	return f.Features&(1<<unix.AUDIT_FEATURE_LOGINUID_IMMUTABLE) != 0
}

// OnlyUnsetLoginUID reports whether a set login uid may only be unset, not
// changed to another value (AUDIT_FEATURE_ONLY_UNSET_LOGINUID).
func (f Features) OnlyUnsetLoginUID() bool {
	return f.Features&(1<<unix.AUDIT_FEATURE_ONLY_UNSET_LOGINUID) != 0
}

// Features reads the audit feature switches (AUDIT_GET_FEATURE).
func (c *Conn) Features() (Features, error) {
	replies, err := c.request(unix.AUDIT_GET_FEATURE, nil, oneReply)
	if err != nil {
		return Features{}, err
	}
	b := replies[0].Data
	if replies[0].Type != unix.AUDIT_GET_FEATURE || len(b) < 16 {
		return Features{}, errorf(ErrProtocol, "AUDIT_GET_FEATURE answered with type %d, %d bytes", replies[0].Type, len(b))
	}
	return Features{
		Version:  binary.NativeEndian.Uint32(b[0:]),
		Mask:     binary.NativeEndian.Uint32(b[4:]),
		Features: binary.NativeEndian.Uint32(b[8:]),
		Lock:     binary.NativeEndian.Uint32(b[12:]),
	}, nil
}
