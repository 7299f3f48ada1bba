package main

import (
	"net/http"
	"testing"
)

func TestClientIP(t *testing.T) {
	cases := []struct {
		name string
		hops int
		xff  []string
		want string
	}{
		{"no proxy: the peer, whatever the client wrote", 0, []string{"198.51.100.7"}, "192.0.2.1"},
		{"one proxy: the address it appended", 1, []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"one proxy, headers repeated: read as one list", 1, []string{"6.6.6.6", "198.51.100.7"}, "198.51.100.7"},
		{"two proxies: the outer one's", 2, []string{"6.6.6.6, 198.51.100.7, 10.0.0.2"}, "198.51.100.7"},
		{"fewer addresses than hops: the peer", 2, []string{"198.51.100.7"}, "192.0.2.1"},
		{"no header: the peer", 1, nil, "192.0.2.1"},
		{"not an address: the peer", 1, []string{"unknown"}, "192.0.2.1"},
		{"IPv6", 1, []string{"2001:db8::7"}, "2001:db8::7"},
	}
	for _, c := range cases {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "192.0.2.1:40000"
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientIP(r, c.hops); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
