package schemas_test

import "math"

func nanF() float64    { return math.NaN() }
func negZero() float64 { return math.Copysign(0, -1) }
