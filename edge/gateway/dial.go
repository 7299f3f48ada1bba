package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// roundRobin spreads calls over every address a target resolves to (all listed replicas, or
// every A record of a headless Service) instead of pick_first's single one.
const roundRobin = `{"loadBalancingConfig":[{"round_robin":{}}]}`

// splitAddrs reads ERP_*_UPSTREAMS, which may list several replicas, comma separated (as for Envoy).
func splitAddrs(value string) []string {
	var addrs []string
	for _, a := range strings.Split(value, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// upstreamConnections is how many connections the gateway keeps to each replica. A replica serves
// from several worker processes on one port (ERP_WORKERS) and the kernel spreads connections, not
// calls, over them: one connection would leave all but one worker idle.
const upstreamConnections = 4

// connPool spreads calls round robin over several clients of the same replicas.
type connPool struct {
	conns []*grpc.ClientConn
	next  atomic.Uint64
}

func (p *connPool) pick() *grpc.ClientConn {
	return p.conns[p.next.Add(1)%uint64(len(p.conns))]
}

func (p *connPool) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	return p.pick().Invoke(ctx, method, args, reply, opts...)
}

func (p *connPool) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string,
	opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return p.pick().NewStream(ctx, desc, method, opts...)
}

func (p *connPool) Close() error {
	var errs []error
	for _, c := range p.conns {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// dialUpstream opens upstreamConnections lazily connecting clients for a service's replicas.
func dialUpstream(name string, addrs []string) (*connPool, error) {
	pool := &connPool{}
	for range upstreamConnections {
		conn, err := dialOnce(name, addrs)
		if err != nil {
			_ = pool.Close()
			return nil, err
		}
		pool.conns = append(pool.conns, conn)
	}
	return pool, nil
}

// dialOnce opens one lazily connecting client for a service's replicas.
func dialOnce(name string, addrs []string) (*grpc.ClientConn, error) {
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(roundRobin),
	}
	switch len(addrs) {
	case 0:
		return nil, fmt.Errorf("%s: no address", name)
	case 1:
		return grpc.NewClient("dns:///"+addrs[0], opts...)
	}
	r := manual.NewBuilderWithScheme("erp-" + name)
	state := resolver.State{}
	for _, a := range addrs {
		state.Addresses = append(state.Addresses, resolver.Address{Addr: a})
	}
	r.InitialState(state)
	return grpc.NewClient(r.Scheme()+":///"+name, append(opts, grpc.WithResolvers(r))...)
}
