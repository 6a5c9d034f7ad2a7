package workloads

// The agent protocol: the harness writes one command per line to the
// agent's stdin; the agent writes one message per line to its stdout. JSON
// lines keep it debuggable; messages cross the pipe only between chunks,
// outside the timed region.

// command is a harness request.
type command struct {
	Op string `json:"op"` // "run", "stop", "exit"
	// For "run":
	Load      Load `json:"load,omitempty"`
	ChunkOps  int  `json:"chunk_ops,omitempty"`
	MaxChunks int  `json:"max_chunks,omitempty"`
	// Rate, when positive, paces the run at that many operations per
	// second (chunk starts are scheduled; the chunks themselves run flat
	// out): the load sweep's knob.
	Rate float64 `json:"rate,omitempty"`
}

// message is an agent report.
type message struct {
	Type string `json:"type"` // "ready", "chunk", "done", "error"
	// For "ready": the agent's pid and the audit login uid it set (0 if
	// it could not).
	PID      int    `json:"pid,omitempty"`
	LoginUID uint32 `json:"login_uid,omitempty"`
	// For "chunk": CLOCK_MONOTONIC nanoseconds, comparable with the
	// harness's own clock readings.
	Start int64 `json:"start,omitempty"`
	End   int64 `json:"end,omitempty"`
	Ops   int   `json:"ops,omitempty"`
	// For "done": operations that produced the event, over the whole run.
	Produced uint64 `json:"produced,omitempty"`
	Chunks   int    `json:"chunks,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Chunk is one timed chunk of operations.
type Chunk struct {
	Start, End int64 // CLOCK_MONOTONIC ns
	Ops        int
}

// NsPerOp is the chunk's time per operation.
func (c Chunk) NsPerOp() float64 { return float64(c.End-c.Start) / float64(c.Ops) }
