package testkit

import "testing"

// TestNewDatabase creates a database of its own on the real MariaDB, uses it through DB, DSN and
// JDBCURL, and finds it dropped at the end.
func TestNewDatabase(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		d := NewDatabase(t)
		name = d.Name
		d.Exec(t, "CREATE TABLE x (id INT PRIMARY KEY)", "INSERT INTO x VALUES (1)")
		var n int
		if err := d.DB.QueryRow("SELECT COUNT(*) FROM x").Scan(&n); err != nil || n != 1 {
			t.Fatalf("count: %d, %v", n, err)
		}
		if d.JDBCURL != "jdbc:mysql://"+d.Addr+"/"+d.Name {
			t.Fatalf("JDBCURL %s", d.JDBCURL)
		}
	})
	s := MySQL(t)
	d := NewDatabase(t)
	var n int
	if err := d.DB.QueryRow("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%s after the test: %d, %v (%s)", name, n, err, s)
	}
}
