package loadgen

import (
	"fmt"
	"net"
	"net/url"
)

// LoopbackOnly refuses targets off this machine: a load test sends
// traffic only to loopback addresses, so no one can aim it at a service
// they do not run.
func LoopbackOnly(host string) error {
	ips, err := net.LookupIP(host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s resolves to %s, which is not loopback; refusing", host, ip)
		}
	}
	return nil
}

// ParseTarget reads a base URL (http or https, with a host) and refuses
// it unless it is on loopback.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %q: want http://host:port", raw)
	}
	if err := LoopbackOnly(u.Hostname()); err != nil {
		return nil, err
	}
	return u, nil
}
