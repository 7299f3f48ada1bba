// The module file of gen/go, the Go stubs module consumers require (github.com/erp-mesh/erp/gen/go):
// tools/gen.sh copies it (and tools/gen-go.sum) there. It asks for the oldest versions the stubs
// work with (grpc 1.64 for SupportPackageIsVersion9, protobuf 1.36.12 for protoc-gen-go 1.36.12),
// so that a consumer is not pulled up to ours, and for no grpc-gateway: its handlers are gen/gateway.

module github.com/erp-mesh/erp/gen/go

go 1.23

require (
	google.golang.org/genproto/googleapis/api v0.0.0-20240318140521-94a12d6c2237
	google.golang.org/grpc v1.64.0
	google.golang.org/protobuf v1.36.12
)

require (
	golang.org/x/net v0.22.0 // indirect
	golang.org/x/sys v0.18.0 // indirect
	golang.org/x/text v0.14.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240318140521-94a12d6c2237 // indirect
)
