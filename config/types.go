package config

import "strconv"

// Type is the type of a configuration value; it decides how a string is parsed
// and which Go type the parsed value has (see the package documentation).
type Type int

// The configuration types, in the order of Java's ConfigDef.Type. The zero
// Type is invalid, so a Key without a Type is caught by Define.
const (
	Boolean  Type = iota + 1 // bool
	String                   // string
	Int                      // int32
	Short                    // int16
	Long                     // int64
	Double                   // float64
	List                     // []string
	Class                    // string (a class name or alias)
	Password                 // Secret
)

var typeNames = [...]string{
	Boolean:  "BOOLEAN",
	String:   "STRING",
	Int:      "INT",
	Short:    "SHORT",
	Long:     "LONG",
	Double:   "DOUBLE",
	List:     "LIST",
	Class:    "CLASS",
	Password: "PASSWORD",
}

// String returns the Java enum name of the type: "BOOLEAN", "STRING", "INT", ...
func (t Type) String() string {
	if t.valid() {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

func (t Type) valid() bool { return t >= Boolean && t <= Password }

// Importance says how much a user should care about a key; it orders the docs.
type Importance int

// The importance levels. The zero Importance is invalid, so a Key without one
// is caught by Define (Java requires an importance on every key too).
const (
	High Importance = iota + 1
	Medium
	Low
)

var importanceNames = [...]string{High: "HIGH", Medium: "MEDIUM", Low: "LOW"}

// String returns the Java enum name: "HIGH", "MEDIUM" or "LOW".
func (i Importance) String() string {
	if i.valid() {
		return importanceNames[i]
	}
	return "Importance(" + strconv.Itoa(int(i)) + ")"
}

func (i Importance) valid() bool { return i >= High && i <= Low }

// Width is a hint for UIs about how wide an input field for the value should be.
type Width int

// The widths; the zero Width is WidthNone, Java's default.
const (
	WidthNone Width = iota
	WidthShort
	WidthMedium
	WidthLong
)

var widthNames = [...]string{WidthNone: "NONE", WidthShort: "SHORT", WidthMedium: "MEDIUM", WidthLong: "LONG"}

// String returns the Java enum name: "NONE", "SHORT", "MEDIUM" or "LONG".
func (w Width) String() string {
	if w.valid() {
		return widthNames[w]
	}
	return "Width(" + strconv.Itoa(int(w)) + ")"
}

func (w Width) valid() bool { return w >= WidthNone && w <= WidthLong }
