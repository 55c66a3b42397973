// Package sdnotify tells systemd about the service's state through the
// socket named by $NOTIFY_SOCKET (sd_notify(3)); without it, it does nothing.
package sdnotify

import (
	"fmt"
	"net"
	"strings"
)

// Notify sends state (e.g. "READY=1", "STOPPING=1") to the socket at addr,
// the value of $NOTIFY_SOCKET. An empty addr means systemd is not
// listening, and Notify returns nil.
func Notify(addr, state string) error {
	if addr == "" {
		return nil
	}
	if strings.HasPrefix(addr, "@") {
		addr = "\x00" + addr[1:] // abstract socket
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
