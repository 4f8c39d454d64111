package tlsconf

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// maxIterations bounds the iteration counts of password-based key
// derivations in PKCS12 files and encrypted PKCS#8 keys, as the JDK's
// PKCS12 reader bounds them (5,000,000): a hostile count would otherwise keep
// a CPU busy for hours. The libraries sluice uses have no such bound.
const maxIterations = 5_000_000

// maxDERDepth bounds how deeply checkIterations descends.
const maxDERDepth = 32

// oidScrypt names the scrypt key derivation, which Java (and so Kafka)
// cannot read in an encrypted key and whose memory cost a file could set
// without bound.
var oidScrypt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}

// checkIterations walks DER data before a library derives keys from it. In
// PKCS#12 and PKCS#5 an iteration count is an INTEGER that follows a salt
// (an OCTET STRING) in a SEQUENCE: the MAC data, the PKCS#12 PBE parameters
// and PBKDF2's parameters. Each such INTEGER must be at most maxIterations.
// OCTET STRINGs holding DER (PKCS#12's authenticated safe) are walked too.
func checkIterations(data []byte) error {
	return walkDER(data, 0)
}

func walkDER(data []byte, depth int) error {
	if depth > maxDERDepth {
		return errors.New("nested too deeply")
	}
	for len(data) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(data, &v)
		if err != nil {
			return nil // not DER here: the library will say what is wrong
		}
		data = rest
		switch {
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOID:
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(v.FullBytes, &oid); err == nil && oid.Equal(oidScrypt) {
				return errors.New("a key derived with scrypt, which Kafka cannot read and sluice does not either (use PBKDF2)")
			}
		case v.IsCompound && v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence:
			if err := checkSequence(v.Bytes); err != nil {
				return err
			}
			if err := walkDER(v.Bytes, depth+1); err != nil {
				return err
			}
		case v.IsCompound:
			if err := walkDER(v.Bytes, depth+1); err != nil {
				return err
			}
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString:
			var inner asn1.RawValue
			if rest, err := asn1.Unmarshal(v.Bytes, &inner); err == nil && len(rest) == 0 && inner.IsCompound {
				if err := walkDER(v.Bytes, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkSequence checks the INTEGERs that follow an OCTET STRING among a
// SEQUENCE's elements.
func checkSequence(data []byte) error {
	afterOctets := false
	for len(data) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(data, &v)
		if err != nil {
			return nil
		}
		data = rest
		if afterOctets && v.Class == asn1.ClassUniversal && v.Tag == asn1.TagInteger {
			var n *big.Int
			if _, err := asn1.Unmarshal(v.FullBytes, &n); err == nil && n.Cmp(big.NewInt(maxIterations)) > 0 {
				return fmt.Errorf("an iteration count of %s, more than the %d sluice (as Java) accepts", n, maxIterations)
			}
		}
		afterOctets = v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString
	}
	return nil
}
