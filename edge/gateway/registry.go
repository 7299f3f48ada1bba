package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/erp-mesh/erp/gen/gateway/handlers"
	optionsv1 "github.com/erp-mesh/erp/gen/go/erp/options/v1"
)

// The contract's registry (protos/erp/options/v1/options.proto), read at start from the descriptors
// compiled into this binary, as erp_common/contract.py reads them for the services and Envoy: which
// routes are public, which upstream serves each service, which literal routes need registering again
// and which route streams.

// route is one HTTP binding of an RPC: a verb and a path template.
type route struct {
	verb, path string
}

// contractRPC is one RPC of the contract with what the edge needs to know about it.
type contractRPC struct {
	method   protoreflect.MethodDescriptor
	upstream string
	access   *optionsv1.Access
	routes   []route
}

// fullMethod is the gRPC path, /erp.auth.v1.AuthService/Login.
func (r contractRPC) fullMethod() string {
	return "/" + string(r.method.Parent().FullName()) + "/" + string(r.method.Name())
}

// registerFunc wires one service's generated handlers onto mux over its upstream's connection.
type registerFunc = handlers.RegisterFunc

// serviceHandlers are the generated grpc-gateway registrations by service name, generated from the
// contract by `make gen` (tools/gateway_handlers.py); loadRegistry still refuses to start unless they name
// exactly the services that have HTTP routes, and the descriptors decide the order and the upstream.
var serviceHandlers = handlers.ByService

// serviceRegistration is one service to register, in declaration order, with its upstream.
type serviceRegistration struct {
	name     protoreflect.FullName
	upstream string
	register registerFunc
}

// registry is what the edge derives from the contract.
type registry struct {
	rpcs      []contractRPC
	services  []serviceRegistration
	public    map[route]bool
	streaming map[string]bool // paths of the server-streaming GET routes (the change feed)
	exports   []exportRoute
}

// Paths that need no token besides the public RPCs' routes: the health check and the favicon (as at
// the Envoy edge, edge/render.py); docs pages are matched by prefix in isPublic.
var edgePublicRoutes = []route{{http.MethodGet, "/api/health"}, {http.MethodGet, "/favicon.ico"}}

func httpRoutes(rule *annotations.HttpRule) []route {
	var found []route
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		found = append(found, route{http.MethodGet, p.Get})
	case *annotations.HttpRule_Post:
		found = append(found, route{http.MethodPost, p.Post})
	case *annotations.HttpRule_Put:
		found = append(found, route{http.MethodPut, p.Put})
	case *annotations.HttpRule_Patch:
		found = append(found, route{http.MethodPatch, p.Patch})
	case *annotations.HttpRule_Delete:
		found = append(found, route{http.MethodDelete, p.Delete})
	}
	for _, b := range rule.GetAdditionalBindings() {
		found = append(found, httpRoutes(b)...)
	}
	return found
}

// contractFiles are the linked-in files that declare an upstream, by path: the contract's files.
func contractFiles() []protoreflect.FileDescriptor {
	var files []protoreflect.FileDescriptor
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if proto.GetExtension(fd.Options(), optionsv1.E_Upstream).(string) != "" {
			files = append(files, fd)
		}
		return true
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path() < files[j].Path() })
	return files
}

// loadRegistry reads the contract from the descriptors and checks it against serviceHandlers.
func loadRegistry() (*registry, error) {
	reg := &registry{public: map[route]bool{}, streaming: map[string]bool{}}
	for _, r := range edgePublicRoutes {
		reg.public[r] = true
	}
	known := map[string]bool{}
	for _, fd := range contractFiles() {
		upstream := proto.GetExtension(fd.Options(), optionsv1.E_Upstream).(string)
		for i := 0; i < fd.Services().Len(); i++ {
			sd := fd.Services().Get(i)
			routed := false
			for j := 0; j < sd.Methods().Len(); j++ {
				md := sd.Methods().Get(j)
				access, _ := proto.GetExtension(md.Options(), optionsv1.E_Access).(*optionsv1.Access)
				if access.GetRule() == nil {
					return nil, fmt.Errorf("%s has no (erp.options.v1.access) rule", md.FullName())
				}
				rpc := contractRPC{method: md, upstream: upstream, access: access}
				if rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule); rule != nil {
					rpc.routes = httpRoutes(rule)
				}
				routed = routed || len(rpc.routes) > 0
				for _, r := range rpc.routes {
					if access.GetPublic() {
						if strings.Contains(r.path, "{") {
							return nil, fmt.Errorf("%s: a public route must be a literal path, not %s", md.FullName(), r.path)
						}
						reg.public[r] = true
					}
					if md.IsStreamingServer() && r.verb == http.MethodGet {
						reg.streaming[r.path] = true
					}
				}
				reg.rpcs = append(reg.rpcs, rpc)
			}
			if !routed {
				continue
			}
			register, ok := serviceHandlers[string(sd.FullName())]
			if !ok {
				return nil, fmt.Errorf("%s has HTTP routes but no entry in serviceHandlers", sd.FullName())
			}
			known[string(sd.FullName())] = true
			reg.services = append(reg.services, serviceRegistration{sd.FullName(), upstream, register})
		}
	}
	for name := range serviceHandlers {
		if !known[name] {
			return nil, fmt.Errorf("serviceHandlers names %s, which the contract does not route", name)
		}
	}
	exports, err := shadowedLiteralRoutes(reg.rpcs)
	if err != nil {
		return nil, err
	}
	reg.exports = exports
	return reg, nil
}

// templateMatches says whether a path template (`/api/master/countries/{id}`) matches a literal path.
func templateMatches(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], "{") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// shadowedLiteralRoutes: runtime.ServeMux tries the most recently registered pattern first, and the
// generated code registers GetX (`/api/master/countries/{id}`) after ExportX
// (`/api/master/countries/export.csv`), so `export.csv` would reach GetX as an id. Every literal GET
// route that a templated GET route also matches is registered again after everything else, which puts
// the literal first; each is an HttpBody export, served by exportHandler.
func shadowedLiteralRoutes(rpcs []contractRPC) ([]exportRoute, error) {
	var exports []exportRoute
	for _, lit := range rpcs {
		for _, lr := range lit.routes {
			if lr.verb != http.MethodGet || strings.Contains(lr.path, "{") || !shadowed(rpcs, lr.path) {
				continue
			}
			if lit.method.Output().FullName() != "google.api.HttpBody" || lit.method.IsStreamingServer() {
				return nil, fmt.Errorf("%s: a shadowed literal route must be a unary HttpBody export", lit.method.FullName())
			}
			input, err := protoregistry.GlobalTypes.FindMessageByName(lit.method.Input().FullName())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", lit.method.FullName(), err)
			}
			exports = append(exports, exportRoute{path: lr.path, method: lit.fullMethod(), upstream: lit.upstream,
				newReq: func() proto.Message { return input.New().Interface() }})
		}
	}
	return exports, nil
}

func shadowed(rpcs []contractRPC, path string) bool {
	for _, rpc := range rpcs {
		for _, r := range rpc.routes {
			if r.verb == http.MethodGet && strings.Contains(r.path, "{") && templateMatches(r.path, path) {
				return true
			}
		}
	}
	return false
}

// isPublic says whether a request needs no access token (path already without trailing slash).
func (reg *registry) isPublic(method, path string) bool {
	if path == "/api/docs" || strings.HasPrefix(path, "/api/docs/") {
		return true
	}
	return reg.public[route{method, path}]
}

func (reg *registry) isStreaming(path string) bool {
	return reg.streaming[path]
}

// registerServices wires every REST-bound service onto mux over its upstream's connection, then the
// shadowed export routes.
func (reg *registry) registerServices(ctx context.Context, mux *runtime.ServeMux, up upstreams) error {
	conns := map[string]grpc.ClientConnInterface{"auth": up.auth, "master": up.master}
	for _, svc := range reg.services {
		conn, ok := conns[svc.upstream]
		if !ok {
			return fmt.Errorf("%s: no connection for upstream %q", svc.name, svc.upstream)
		}
		if err := svc.register(ctx, mux, conn); err != nil {
			return fmt.Errorf("register %s: %w", svc.name, err)
		}
	}
	for _, route := range reg.exports {
		conn, ok := conns[route.upstream]
		if !ok {
			return fmt.Errorf("%s: no connection for upstream %q", route.method, route.upstream)
		}
		if err := mux.HandlePath(http.MethodGet, route.path, exportHandler(mux, conn, route)); err != nil {
			return fmt.Errorf("register %s: %w", route.path, err)
		}
	}
	return nil
}
