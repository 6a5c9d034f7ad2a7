package auditnl

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Message is one netlink message of the audit family: a type (AUDIT_GET,
// AUDIT_SYSCALL, NLMSG_ERROR, …) and its payload.
type Message struct {
	Type  uint16
	Flags uint16
	Seq   uint32
	Data  []byte
}

const hdrLen = unix.SizeofNlMsghdr

func align4(n int) int { return (n + 3) &^ 3 }

// appendMessage appends a request to b: header, payload, padding.
func appendMessage(b []byte, typ, flags uint16, seq uint32, payload []byte) []byte {
	n := hdrLen + len(payload)
	b = binary.NativeEndian.AppendUint32(b, uint32(n))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0) // port id: the kernel fills it in
	b = append(b, payload...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// parseMessages splits a datagram of kernel replies into messages, trusting
// each header's length field as the netlink rules say.
func parseMessages(b []byte) ([]Message, error) {
	var out []Message
	for len(b) > 0 {
		if len(b) < hdrLen {
			return nil, errorf(ErrProtocol, "%d trailing bytes, shorter than a netlink header", len(b))
		}
		n := int(binary.NativeEndian.Uint32(b[0:4]))
		if n < hdrLen || n > len(b) {
			return nil, errorf(ErrProtocol, "netlink length %d outside [%d, %d]", n, hdrLen, len(b))
		}
		out = append(out, Message{
			Type:  binary.NativeEndian.Uint16(b[4:6]),
			Flags: binary.NativeEndian.Uint16(b[6:8]),
			Seq:   binary.NativeEndian.Uint32(b[8:12]),
			Data:  b[hdrLen:n],
		})
		if align4(n) >= len(b) {
			break
		}
		b = b[align4(n):]
	}
	return out, nil
}

// parseRecordDatagram reads one audit record from one datagram. The kernel
// sends every record as its own datagram, but its length field differs by
// path: kauditd sets nlmsg_len to the payload length alone for the unicast
// daemon (a historical quirk auditd relies on, see audit_log_end in
// kernel/audit.c) and to the full length for multicast listeners. Taking the
// datagram minus the header is right for both.
func parseRecordDatagram(b []byte) (Message, error) {
	if len(b) < hdrLen {
		return Message{}, errorf(ErrProtocol, "datagram of %d bytes, shorter than a netlink header", len(b))
	}
	return Message{
		Type:  binary.NativeEndian.Uint16(b[4:6]),
		Flags: binary.NativeEndian.Uint16(b[6:8]),
		Seq:   binary.NativeEndian.Uint32(b[8:12]),
		Data:  b[hdrLen:],
	}, nil
}

// ackErrno decodes an NLMSG_ERROR payload (struct nlmsgerr): a signed errno,
// 0 for a plain acknowledgement, and the request header it answers.
func ackErrno(m Message) (errno int32, reqSeq uint32, err error) {
	if len(m.Data) < 4+hdrLen {
		return 0, 0, errorf(ErrProtocol, "NLMSG_ERROR payload of %d bytes", len(m.Data))
	}
	errno = int32(binary.NativeEndian.Uint32(m.Data[0:4]))
	reqSeq = binary.NativeEndian.Uint32(m.Data[4+8 : 4+12])
	return errno, reqSeq, nil
}
