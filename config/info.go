package config

import (
	"encoding/json"
	"math"
)

// KeyInfo is a key as the REST API shows it (Kafka Connect's ConfigKeyInfo,
// from GET /connector-plugins/{p}/config and the "definition" of a validate
// result). It marshals to exactly
//
//	{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH",
//	 "documentation":"…","group":"Common","order_in_group":3,"width":"SHORT","display_name":"Tasks max","dependents":[]}
//
// The position in the group is order_in_group, as Kafka Connect 4 writes it;
// decoding also takes the "order" Kafka Connect 3 wrote.
type KeyInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
	// DefaultValue is nil (null) for a required key or a null default.
	DefaultValue  *string `json:"default_value"`
	Importance    string  `json:"importance"`
	Documentation string  `json:"documentation"`
	// Group is nil (null) for a key without a group.
	Group *string `json:"group"`
	// OrderInGroup is the key's position in its group; -1 for a key
	// without a group.
	OrderInGroup int      `json:"order_in_group"`
	Width        string   `json:"width"`
	DisplayName  string   `json:"display_name"`
	Dependents   []string `json:"dependents"`
}

// MarshalJSON encodes i with [] rather than null for no dependents.
func (i KeyInfo) MarshalJSON() ([]byte, error) {
	type plain KeyInfo // no methods, so no recursion
	if i.Dependents == nil {
		i.Dependents = []string{}
	}
	return json.Marshal(plain(i))
}

// UnmarshalJSON decodes i, taking Kafka Connect 3's "order" when
// "order_in_group" is absent.
func (i *KeyInfo) UnmarshalJSON(b []byte) error {
	type plain KeyInfo // no methods, so no recursion
	var v struct {
		plain
		Order *int `json:"order"`
	}
	v.OrderInGroup = math.MinInt
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.OrderInGroup == math.MinInt {
		v.OrderInGroup = 0
		if v.Order != nil {
			v.OrderInGroup = *v.Order
		}
	}
	*i = KeyInfo(v.plain)
	return nil
}

// Info returns k as the REST API shows it. The default is rendered as Java's
// ConfigDef.convertToString does ("a,b" for lists, "[hidden]" for passwords,
// Java's Double.toString for doubles). As in Java's shorter define overloads,
// an empty DisplayName shows Name, and a key without a group shows group null
// and order -1 unless OrderInGroup is set.
func (k Key) Info() KeyInfo {
	info := KeyInfo{
		Name:          k.Name,
		Type:          k.Type.String(),
		Required:      k.Required(),
		Importance:    k.Importance.String(),
		Documentation: k.Doc,
		OrderInGroup:  k.OrderInGroup,
		Width:         k.Width.String(),
		DisplayName:   k.DisplayName,
		Dependents:    append([]string{}, k.Dependents...),
	}
	if !info.Required {
		def := k.Default
		// Keys from a Def hold parsed defaults already; this serves hand-made Keys.
		if k.Type.valid() {
			if v, err := convertDefault(k.Name, def, k.Type); err == nil {
				def = v
			}
		}
		info.DefaultValue = renderValue(def)
	}
	if k.Group != "" {
		g := k.Group
		info.Group = &g
	} else if k.OrderInGroup == 0 {
		info.OrderInGroup = -1
	}
	if info.DisplayName == "" {
		info.DisplayName = k.Name
	}
	return info
}
