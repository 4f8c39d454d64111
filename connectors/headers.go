package connectors

import "github.com/sluicehq/sluice/schemas"

// Header is one record header: a key and a Connect value with its schema.
type Header struct {
	Key    string
	Schema *schemas.Schema
	Value  any
}

// Headers are a record's headers, in order; a key may occur more than once.
type Headers []Header

// Add appends a header.
func (h *Headers) Add(key string, schema *schemas.Schema, value any) {
	*h = append(*h, Header{Key: key, Schema: schema, Value: value})
}

// Last returns the last header with key.
func (h Headers) Last(key string) (Header, bool) {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Key == key {
			return h[i], true
		}
	}
	return Header{}, false
}

// Remove deletes every header with key.
func (h *Headers) Remove(key string) {
	kept := (*h)[:0]
	for _, x := range *h {
		if x.Key != key {
			kept = append(kept, x)
		}
	}
	*h = kept
}
