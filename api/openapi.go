// Package api serves Kafka Connect's REST API over a herder: the same paths,
// query parameters, JSON bodies, status codes and error shape, so tools made
// for Kafka Connect manage sluice unchanged. OpenAPI is the API's contract;
// package client is a Go client for it.
package api

import _ "embed"

// OpenAPI is the OpenAPI 3.0.3 document (YAML) of the REST API: every route,
// parameter, body and answer, with Kafka Connect's semantics described.
//
//go:embed openapi.yaml
var OpenAPI []byte
