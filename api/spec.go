// Package api holds the OpenAPI document, the source of truth of the HTTP API.
package api

import _ "embed"

// OpenAPI is api/openapi.yaml, served at /api/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
