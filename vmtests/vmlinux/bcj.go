package vmlinux

// unBCJx86 undoes, in place, the x86 branch/call/jump filter of the .xz
// format on a buffer that starts at stream offset 0. The encoder turned the
// rel32 operands of E8 (call) and E9 (jmp) whose top byte is 0x00 or 0xFF
// into absolute addresses so that repeated calls to one function compress
// well; decoding subtracts the position again. Which candidates were
// converted depends on a small history of the preceding bytes (the "mask"),
// which the decoder rebuilds exactly as the encoder built it.
func unBCJx86(buf []byte) {
	allowed := [8]bool{true, true, true, false, true, false, false, false}
	bitNumber := [8]uint32{0, 1, 2, 2, 3, 3, 3, 3}
	isMSByte := func(b byte) bool { return b == 0x00 || b == 0xff }

	var mask uint32
	prev := -5 // position of the previous E8/E9 candidate
	for i := 0; i+5 <= len(buf); {
		if buf[i] != 0xe8 && buf[i] != 0xe9 {
			i++
			continue
		}
		gap := i - prev
		prev = i
		if gap > 5 {
			mask = 0
		} else {
			for k := 0; k < gap; k++ {
				mask = (mask & 0x77) << 1
			}
		}
		top := buf[i+4]
		if !isMSByte(top) || !allowed[(mask>>1)&7] || mask>>1 >= 0x10 {
			i++
			mask |= 1
			if isMSByte(top) {
				mask |= 0x10
			}
			continue
		}
		src := uint32(buf[i+1]) | uint32(buf[i+2])<<8 | uint32(buf[i+3])<<16 | uint32(top)<<24
		var dest uint32
		for {
			dest = src - uint32(i+5)
			if mask == 0 {
				break
			}
			shift := 24 - bitNumber[mask>>1]*8
			if !isMSByte(byte(dest >> shift)) {
				break
			}
			src = dest ^ (1<<(shift+8) - 1)
		}
		// Sign-extend bit 24 into the top byte, as the encoder's range allows.
		buf[i+4] = ^byte((dest>>24)&1 - 1)
		buf[i+3] = byte(dest >> 16)
		buf[i+2] = byte(dest >> 8)
		buf[i+1] = byte(dest)
		i += 5
		mask = 0
	}
}
