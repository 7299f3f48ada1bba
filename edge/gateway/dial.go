package main

import (
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// roundRobin spreads calls over every address a target resolves to (all listed replicas, or
// every A record of a headless Service) instead of pick_first's single one.
const roundRobin = `{"loadBalancingConfig":[{"round_robin":{}}]}`

// splitAddrs reads ERP_*_GRPC_ADDR, which may list several replicas, comma separated (as for Envoy).
func splitAddrs(value string) []string {
	var addrs []string
	for _, a := range strings.Split(value, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// dialUpstream opens one lazily connecting client for a service's replicas.
func dialUpstream(name string, addrs []string) (*grpc.ClientConn, error) {
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
