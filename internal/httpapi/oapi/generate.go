// Package oapi is generated from api/openapi.yaml (make generate): the API's
// models and strict server interface. Do not edit oapi.gen.go by hand.
package oapi

//go:generate go tool oapi-codegen -config config.yaml ../../../api/openapi.yaml
