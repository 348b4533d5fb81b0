package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// sdNotify sends state (e.g. "READY=1") to systemd's notification socket
// when $NOTIFY_SOCKET is set (Type=notify units), and does nothing
// otherwise. The protocol is one datagram per message (sd_notify(3)).
func sdNotify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	if !strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "@") {
		return fmt.Errorf("notify systemd: NOTIFY_SOCKET %q is not a unix socket path", addr)
	}
	if addr[0] == '@' {
		addr = "\x00" + addr[1:] // abstract namespace
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify systemd: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify systemd: %w", err)
	}
	return nil
}
