package mysqlcdc

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/internal/testkit"
)

func TestGrantedOn(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  bool
	}{
		{"global", []string{"GRANT INSERT ON *.* TO `u`@`%`"}, true},
		{"all on the database", []string{"GRANT ALL PRIVILEGES ON `shop`.* TO `u`@`%`"}, true},
		{"on the table", []string{"GRANT SELECT, INSERT ON `shop`.`sig` TO `u`@`%`"}, true},
		{"on the table, other case", []string{"GRANT INSERT ON `Shop`.`SIG` TO `u`@`%`"}, true},
		{"database pattern", []string{"GRANT INSERT ON `sh%`.* TO `u`@`%`"}, true},
		{"underscore wildcard", []string{"GRANT INSERT ON `sho_`.* TO `u`@`%`"}, true},
		{"pattern not matching", []string{"GRANT INSERT ON `sh\\_x%`.* TO `u`@`%`"}, false},
		{"escaped underscore is literal", []string{"GRANT INSERT ON `s\\_op`.* TO `u`@`%`"}, false},
		{"another table", []string{"GRANT INSERT ON `shop`.`orders` TO `u`@`%`"}, false},
		{"select only", []string{"GRANT SELECT ON *.* TO `u`@`%`"}, false},
		{"through a role", []string{"GRANT `r` TO `u`@`%`"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseGrants(tt.lines).grantedOn("INSERT", "shop", "sig"); got != tt.want {
				t.Errorf("grantedOn = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestValidateLiveSignalInsert: with signal.data.collection, ValidateLive
// names a user who may not INSERT into the signal table (where the
// incremental snapshot writes its watermarks) on signal.data.collection.
func TestValidateLiveSignalInsert(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	user := "core2s_" + d.Name[len(d.Name)-8:]
	d.Exec(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY 'pw-Secret-2'", user),
		fmt.Sprintf("GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '%s'@'%%'", user))
	t.Cleanup(func() { _, _ = d.DB.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", user)) })
	host, port, _ := net.SplitHostPort(d.Addr)
	props := map[string]string{HostnameKey: host, PortKey: port, UserKey: user, PasswordKey: "pw-Secret-2",
		ServerIDKey: "77", TopicPrefixKey: "core", HistoryTopicKey: "h", HistoryServersKey: "k:1"}
	c := NewMariaDB()
	if res := c.ValidateLive(t.Context(), props); len(res) > 0 {
		t.Fatalf("without a signal table: %v", res)
	}
	props[SignalCollectionKey] = d.Name + ".sig"
	res := c.ValidateLive(t.Context(), props)
	if len(res) != 1 || res[0].Name != SignalCollectionKey || !strings.Contains(strings.Join(res[0].Errors, ""), "may not INSERT into the signal table") {
		t.Fatalf("without INSERT: %v", res)
	}
	// Without the source channel the signal table is not written.
	props[incremental.EnabledChannelsKey] = "kafka"
	props[incremental.KafkaServersKey] = "k:1"
	if res := c.ValidateLive(t.Context(), props); len(res) > 0 {
		t.Fatalf("kafka channel only: %v", res)
	}
	delete(props, incremental.EnabledChannelsKey)
	d.Exec(t, fmt.Sprintf("GRANT INSERT ON `%s`.`sig` TO '%s'@'%%'", d.Name, user))
	if res := c.ValidateLive(t.Context(), props); len(res) > 0 {
		t.Fatalf("with INSERT: %v", res)
	}
}
