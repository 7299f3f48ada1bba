module github.com/erp-mesh/erp/clients/go

go 1.23

require (
	github.com/erp-mesh/erp/gen/go v0.0.0
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240318140521-94a12d6c2237
	google.golang.org/grpc v1.64.0
)

require (
	golang.org/x/net v0.22.0 // indirect
	golang.org/x/sys v0.18.0 // indirect
	golang.org/x/text v0.14.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20240318140521-94a12d6c2237 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

// Inside this repository the stubs come from the tree; a consumer elsewhere requires the published
// module (or points this replace at its copy of gen/go).
replace github.com/erp-mesh/erp/gen/go => ../../gen/go
