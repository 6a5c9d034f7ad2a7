package perfevent_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/tracebench/tracebench/internal/perfevent"
)

// Instructions per cycle of a process and the children it starts from now
// on, or why the machine cannot say.
func ExampleOpenGroup() {
	pid := os.Getpid()
	g, err := perfevent.OpenGroup([]perfevent.Event{perfevent.Cycles, perfevent.Instructions},
		perfevent.Task{Pid: pid, Inherit: true, ExcludeKernel: true})
	if errors.Is(err, errors.ErrUnsupported) {
		fmt.Println("unsupported here:", err) // e.g. ErrNoPMU on a VM without a virtual PMU
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	// … the workload runs …
	counts, err := g.Read()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("IPC %.2f\n", float64(counts[1].Scaled())/float64(counts[0].Scaled()))
}

// Sampling a process tree at 1 kHz of its CPU time until it exits, with
// what the kernel dropped.
func ExampleSampler() {
	s, err := perfevent.OpenSampler(perfevent.SamplerOptions{
		Event:      perfevent.CPUClock,
		Task:       perfevent.Task{Pid: os.Getpid(), Inherit: true},
		Frequency:  1000,
		SampleType: perfevent.SampleIP | perfevent.SampleTID | perfevent.SampleTime,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	samples := 0
	for {
		werr := s.Wait(time.Second)
		err := s.Read(func(r perfevent.Record) error {
			if _, ok := r.(*perfevent.Sample); ok {
				samples++
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
		if errors.Is(werr, perfevent.ErrExited) {
			break
		}
	}
	tot, err := s.Totals()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(samples, "samples,", tot.Lost, "lost")
}
