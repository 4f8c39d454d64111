package datagen

import (
	"embed"
	"strings"
)

// quickstartFiles holds the schemas of the quickstarts, under the file
// names kafka-connect-datagen gives them on its class path, so that
// schema.filename may name them too.
//
//go:embed quickstarts/*.avro
var quickstartFiles embed.FS

// quickstart is one value of the "quickstart" key: its schema file and the
// field that keys its records.
type quickstart struct {
	name, file, keyField string
}

// quickstarts are kafka-connect-datagen's, in its order (the order its
// error message lists them in).
var quickstarts = []quickstart{
	{"clickstream_codes", "clickstream_codes_schema.avro", "code"},
	{"clickstream", "clickstream_schema.avro", "ip"},
	{"clickstream_users", "clickstream_users_schema.avro", "user_id"},
	{"orders", "orders_schema.avro", "orderid"},
	{"ratings", "ratings_schema.avro", "rating_id"},
	{"users", "users_schema.avro", "userid"},
	{"users_", "users_array_map_schema.avro", "userid"},
	{"pageviews", "pageviews_schema.avro", "viewtime"},
	{"stock_trades", "stock_trades_schema.avro", "symbol"},
	{"inventory", "inventory.avro", "id"},
	{"product", "product.avro", "id"},
	{"purchases", "purchase.avro", "id"},
	{"transactions", "transactions.avro", "transaction_id"},
	{"stores", "stores.avro", "store_id"},
	{"credit_cards", "credit_cards.avro", "card_id"},
	{"campaign_finance", "campaign_finance.avro", "candidate_id"},
	{"fleet_mgmt_description", "fleet_mgmt_description.avro", "vehicle_id"},
	{"fleet_mgmt_location", "fleet_mgmt_location.avro", "vehicle_id"},
	{"fleet_mgmt_sensors", "fleet_mgmt_sensors.avro", "vehicle_id"},
	{"pizza_orders", "pizza_orders.avro", "store_id"},
	{"pizza_orders_completed", "pizza_orders_completed.avro", "store_id"},
	{"pizza_orders_cancelled", "pizza_orders_cancelled.avro", "store_id"},
	{"insurance_offers", "insurance_offers.avro", "offer_id"},
	{"insurance_customers", "insurance_customers.avro", "customer_id"},
	{"insurance_customer_activity", "insurance_customer_activity.avro", "activity_id"},
	{"gaming_games", "gaming_games.avro", "id"},
	{"gaming_players", "gaming_players.avro", "player_id"},
	{"gaming_player_activity", "gaming_player_activity.avro", "player_id"},
	{"payroll_employee", "payroll_employee.avro", "employee_id"},
	{"payroll_employee_location", "payroll_employee_location.avro", "employee_id"},
	{"payroll_bonus", "payroll_bonus.avro", "employee_id"},
	{"syslog_logs", "syslog_logs.avro", "host"},
	{"device_information", "device_information.avro", "device_ip"},
	{"siem_logs", "siem_logs.avro", "hostname"},
	{"shoes", "shoes.avro", "id"},
	{"shoe_customers", "shoe_customers.avro", "id"},
	{"shoe_orders", "shoe_orders.avro", "order_id"},
	{"shoe_clickstream", "shoe_clickstream.avro", "product_id"},
}

// Quickstarts returns the names the "quickstart" key accepts.
func Quickstarts() []string {
	names := make([]string, len(quickstarts))
	for i, q := range quickstarts {
		names[i] = q.name
	}
	return names
}

// findQuickstart looks a quickstart up by name, ignoring case as
// kafka-connect-datagen does.
func findQuickstart(name string) (quickstart, bool) {
	name = strings.ToLower(name)
	for _, q := range quickstarts {
		if q.name == name {
			return q, true
		}
	}
	return quickstart{}, false
}

// bundledSchema returns the text of a schema file bundled with the
// connector, by its file name.
func bundledSchema(file string) (string, bool) {
	b, err := quickstartFiles.ReadFile("quickstarts/" + file)
	if err != nil {
		return "", false
	}
	return string(b), true
}
