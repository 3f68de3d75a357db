package app

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
)

// headerAddresses reads only the header section and returns the addresses in
// the named fields, in order.
func headerAddresses(raw []byte, fields ...string) []string {
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return nil
	}
	var out []string
	for _, f := range fields {
		for _, v := range h.Values(f) {
			list, err := mail.ParseAddressList(v)
			if err != nil {
				continue
			}
			for _, a := range list {
				out = append(out, a.Address)
			}
		}
	}
	return out
}
