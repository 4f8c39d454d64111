package javafmt

import (
	"math"
	"math/big"
	"testing"
)

// Expected strings are Java's Double.toString / Float.toString outputs
// (JDK 19+ specification; examples from the JDK javadoc and JDK-4511638).
var tenth, fifth = 0.1, 0.2 // variables: constant 0.1+0.2 would fold to 0.3

func TestDouble(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-1, "-1.0"},
		{12.34, "12.34"},
		{100, "100.0"},
		{0.001, "0.001"},
		{0.0009, "9.0E-4"},
		{1234567, "1234567.0"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{12345678, "1.2345678E7"},
		{1e20, "1.0E20"},
		{1e-5, "1.0E-5"},
		{2e23, "2.0E23"},
		{0.1, "0.1"},
		{tenth + fifth, "0.30000000000000004"},
		{math.MaxFloat64, "1.7976931348623157E308"},
		{math.SmallestNonzeroFloat64, "4.9E-324"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{0.002, "0.002"},
		{123456.789, "123456.789"},
		{-1.5e-7, "-1.5E-7"},
	}
	for _, tt := range tests {
		if got := Double(tt.in); got != tt.want {
			t.Errorf("Double(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float32
		want string
	}{
		{1, "1.0"},
		{12.34, "12.34"},
		{0.1, "0.1"},
		{1e10, "1.0E10"},
		{math.MaxFloat32, "3.4028235E38"},
		{math.SmallestNonzeroFloat32, "1.4E-45"},
		{1.1, "1.1"},
		{300.01, "300.01"},
		{66000.0008, "66000.0"},
	}
	for _, tt := range tests {
		if got := Float(tt.in); got != tt.want {
			t.Errorf("Float(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Expected strings are Java's BigDecimal.toString outputs (javadoc table).
func TestBigDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		unscaled int64
		scale    int
		want     string
	}{
		{123, 0, "123"},
		{-123, 0, "-123"},
		{123, -1, "1.23E+3"},
		{123, -3, "1.23E+5"},
		{123, 1, "12.3"},
		{123, 5, "0.00123"},
		{123, 10, "1.23E-8"},
		{-123, 12, "-1.23E-10"},
		{156, 2, "1.56"},
		{15600, 4, "1.5600"},
		{0, 2, "0.00"},
		{1, 7, "1E-7"},
		{1, 6, "0.000001"},
		{0, -2, "0E+2"},
	}
	for _, tt := range tests {
		if got := BigDecimal(big.NewInt(tt.unscaled), tt.scale); got != tt.want {
			t.Errorf("BigDecimal(%d, %d) = %q, want %q", tt.unscaled, tt.scale, got, tt.want)
		}
	}
}

func TestParseBigDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		unscaled string
		scale    int
		bad      bool
	}{
		{in: "1.56", unscaled: "156", scale: 2},
		{in: "-1.5600", unscaled: "-15600", scale: 4},
		{in: "+7", unscaled: "7", scale: 0},
		{in: "1e5", unscaled: "1", scale: -5},
		{in: "1.5E-3", unscaled: "15", scale: 4},
		{in: ".5", unscaled: "5", scale: 1},
		{in: "5.", unscaled: "5", scale: 0},
		{in: "0012", unscaled: "12", scale: 0},
		{in: "9223372036854775808", unscaled: "9223372036854775808", scale: 0},
		{in: "", bad: true},
		{in: "-", bad: true},
		{in: ".", bad: true},
		{in: "1e", bad: true},
		{in: "1e+", bad: true},
		{in: "1.2.3", bad: true},
		{in: "abc", bad: true},
		{in: "1_000", bad: true},
		{in: "1e99999999999", bad: true},
		{in: "0x10", bad: true},
	}
	for _, tt := range tests {
		u, sc, err := ParseBigDecimal(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseBigDecimal(%q) = %v, %d; want error", tt.in, u, sc)
			}
			continue
		}
		if err != nil || u.String() != tt.unscaled || sc != tt.scale {
			t.Errorf("ParseBigDecimal(%q) = %v, %d, %v; want %s, %d", tt.in, u, sc, err, tt.unscaled, tt.scale)
		}
	}
}

func TestAppendInteger(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
		ok   bool
	}{
		{int(-7), "-7", true},
		{int8(-128), "-128", true},
		{int16(32767), "32767", true},
		{int32(-2147483648), "-2147483648", true},
		{int64(-9223372036854775808), "-9223372036854775808", true},
		{uint(7), "7", true},
		{uint8(255), "255", true},
		{uint16(65535), "65535", true},
		{uint32(4294967295), "4294967295", true},
		{uint64(18446744073709551615), "18446744073709551615", true},
		{1.5, "", false},
		{"1", "", false},
		{nil, "", false},
	} {
		got, ok := AppendInteger([]byte("x"), tc.v)
		if ok != tc.ok || (ok && string(got) != "x"+tc.want) || (!ok && string(got) != "x") {
			t.Errorf("AppendInteger(%T %v) = %q, %v; want %q, %v", tc.v, tc.v, got, ok, tc.want, tc.ok)
		}
	}
}
