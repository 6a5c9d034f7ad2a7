// Package backendpb holds the generated gRPC code of the backend plugin
// protocol defined in backend.proto. `make generate` rebuilds it.
package backendpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative backend.proto
