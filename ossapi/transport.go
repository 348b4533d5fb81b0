package ossapi

import (
	"net"
	"net/http"
	"time"
)

// sharedTransport is used by every Client without Config.Transport, so all
// of a process's requests share one connection pool. It is sized for many
// parallel ranged GETs to one host, and asks for no compression so that
// Content-Length and ranges refer to the stored bytes.
var sharedTransport http.RoundTripper = newTransport()

func newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ReadBufferSize:        64 << 10,
		WriteBufferSize:       16 << 10,
	}
}
