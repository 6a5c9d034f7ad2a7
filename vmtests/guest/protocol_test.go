package guest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func transcript(status int32, data ...string) []byte {
	var buf bytes.Buffer
	writeFrame(&buf, frameStart, nil)
	w := frameWriter{&buf}
	for _, d := range data {
		w.Write([]byte(d))
	}
	writeFrame(&buf, frameExit, binary.LittleEndian.AppendUint32(nil, uint32(status)))
	return buf.Bytes()
}

func TestDecode(t *testing.T) {
	b := transcript(3, `{"a":`, "", `1}`)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Started || !got.Exited || got.Status != 3 || string(got.Output) != `{"a":1}` {
		t.Errorf("Decode = %+v", got)
	}
	if neg, _ := Decode(transcript(-1)); neg.Status != -1 {
		t.Errorf("status -1 decoded as %d", neg.Status)
	}
	// Cut inside the exit frame: data kept, no status.
	cut, err := Decode(b[:len(b)-2])
	if err != nil || !cut.Started || cut.Exited || string(cut.Output) != `{"a":1}` {
		t.Errorf("cut transcript = %+v, %v", cut, err)
	}
	if empty, err := Decode(nil); err != nil || empty.Started {
		t.Errorf("empty transcript = %+v, %v", empty, err)
	}
	if _, err := Decode([]byte("Kernel panic\n")); !errors.Is(err, ErrBadFrame) {
		t.Errorf("garbage: got %v, want ErrBadFrame", err)
	}
	if _, err := Decode(append(transcript(0), transcript(0)...)); !errors.Is(err, ErrBadFrame) {
		t.Errorf("two transcripts: got %v, want ErrBadFrame", err)
	}
}
