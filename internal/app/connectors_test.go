package app

import (
	"encoding/base64"
	"strings"
	"testing"
)

// The connectors' job workers are built in Open after the guarded HTTP
// client: built before it, they copied a nil client and fetched with no
// guard against private addresses.
func TestConnectorWorkersUseTheGuardedClient(t *testing.T) {
	k := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	a := openWithKeys(t, "", t.TempDir(), k)
	defer a.Close()
	if a.userHTTP == nil {
		t.Fatal("no guarded client")
	}
	if a.nylasFetch.Config.HTTPClient != a.userHTTP {
		t.Error("the Nylas fetch worker does not use the guarded client")
	}
	if a.microsoftSync.Config.HTTPClient != a.userHTTP {
		t.Error("the Microsoft sync worker does not use the guarded client")
	}
}
