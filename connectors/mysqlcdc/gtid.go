package mysqlcdc

import (
	"fmt"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// Flavor is the server's kind: GTIDs and some statements differ.
type Flavor string

// The two flavors go-mysql speaks.
const (
	MySQL   Flavor = mysql.MySQLFlavor
	MariaDB Flavor = mysql.MariaDBFlavor
)

// parseGTIDSet reads a GTID set as the offsets' "gtids" key stores it:
// MariaDB's "domain-server-seq" list or MySQL's "uuid:1-n" set.
func parseGTIDSet(f Flavor, s string) (mysql.GTIDSet, error) {
	set, err := mysql.ParseGTIDSet(string(f), s)
	if err != nil {
		return nil, fmt.Errorf("reading the GTID set %q (%s): %w", s, f, err)
	}
	return set, nil
}
