package avro

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connerr"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// These tests run against the real registry make services-up starts
// (Apicurio Registry's Confluent API).

func TestRoundTripRealRegistry(t *testing.T) { roundTrip(t, testkit.SchemaRegistryURL(t)) }

func registryGet(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

func registrySend(t *testing.T, method, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %s %s", method, url, resp.Status, b)
	}
}

// Schema evolution under BACKWARD compatibility: adding an optional field
// and removing a field with a default each register a new version, and
// records of every earlier version still read, each with its own schema.
func TestSchemaEvolution(t *testing.T) {
	url := testkit.SchemaRegistryURL(t)
	topic := "evolve-" + uniqueName()
	subject := topic + "-value"
	w := newConverter(t, url, false)
	v1 := schemas.NewBuilder(schemas.TypeStruct).Name("evolve.Person").
		Field("name", schemas.StringSchema).
		Field("age", schemas.NewBuilder(schemas.TypeInt32).Default(int32(-1)).MustBuild()).MustBuild()
	d1, err := w.FromConnectData(topic, v1, schemas.NewStruct(v1).MustPut("name", "ann").MustPut("age", int32(30)))
	if err != nil {
		t.Fatal(err)
	}
	registrySend(t, http.MethodPut, url+"/config/"+subject, `{"compatibility":"BACKWARD"}`)
	v2 := schemas.NewBuilder(schemas.TypeStruct).Name("evolve.Person").
		Field("name", schemas.StringSchema).
		Field("age", schemas.NewBuilder(schemas.TypeInt32).Default(int32(-1)).MustBuild()).
		Field("email", schemas.OptionalStringSchema).MustBuild()
	d2, err := w.FromConnectData(topic, v2, schemas.NewStruct(v2).MustPut("name", "bob").MustPut("age", int32(40)).MustPut("email", "b@x"))
	if err != nil {
		t.Fatalf("adding an optional field: %v", err)
	}
	v3 := schemas.NewBuilder(schemas.TypeStruct).Name("evolve.Person").
		Field("name", schemas.StringSchema).
		Field("email", schemas.OptionalStringSchema).MustBuild()
	d3, err := w.FromConnectData(topic, v3, schemas.NewStruct(v3).MustPut("name", "cy"))
	if err != nil {
		t.Fatalf("removing a field with a default: %v", err)
	}
	var versions []int
	registryGet(t, url+"/subjects/"+subject+"/versions", &versions)
	if len(versions) != 3 {
		t.Fatalf("subject %s has versions %v, want 3", subject, versions)
	}
	r := newConverter(t, url, false)
	for i, tc := range []struct {
		data   []byte
		schema *schemas.Schema
		name   string
	}{{d1, v1, "ann"}, {d2, v2, "bob"}, {d3, v3, "cy"}} {
		s, v, err := r.ToConnectData(topic, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Fields) != len(tc.schema.Fields) || s.Version == nil || *s.Version != versions[i] {
			t.Errorf("record of version %d read with schema %+v", i+1, s)
		}
		if got := v.(*schemas.Struct).Get("name"); got != tc.name {
			t.Errorf("record of version %d: name %v", i+1, got)
		}
	}
	// A required field without a default is not backward compatible: the
	// registry refuses it, and the error says so and is not retried.
	v4 := schemas.NewBuilder(schemas.TypeStruct).Name("evolve.Person").
		Field("name", schemas.StringSchema).Field("id", schemas.Int64Schema).MustBuild()
	_, err = w.FromConnectData(topic, v4, schemas.NewStruct(v4).MustPut("name", "dee").MustPut("id", int64(1)))
	var re *RegistryError
	if err == nil || connerr.IsRetriable(err) || !errors.As(err, &re) || re.Status != 409 || !strings.Contains(err.Error(), "under subject "+subject) {
		t.Fatalf("incompatible schema: %v", err)
	}
}

// auto.register.schemas=false looks schemas up; use.latest.version writes
// with the subject's latest version, filling fields the record lacks with
// their defaults.
func TestLookupAndLatestVersion(t *testing.T) {
	url := testkit.SchemaRegistryURL(t)
	topic := "latest-" + uniqueName()
	s := schemas.NewBuilder(schemas.TypeStruct).Name("latest.R").Field("a", schemas.Int32Schema).MustBuild()
	lookup := newConverter(t, url, false, AutoRegisterSchemasConfig, "false")
	_, err := lookup.FromConnectData(topic, s, schemas.NewStruct(s).MustPut("a", int32(1)))
	if err == nil || !strings.Contains(err.Error(), "Error looking up Avro schema") || connerr.IsRetriable(err) {
		t.Fatalf("lookup of an unregistered schema: %v", err)
	}
	newer := `{"type":"record","name":"R","namespace":"latest","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"bee"}]}`
	body, _ := json.Marshal(map[string]string{"schema": newer})
	registrySend(t, http.MethodPost, url+"/subjects/"+topic+"-value/versions", string(body))

	latest := newConverter(t, url, false, AutoRegisterSchemasConfig, "false", UseLatestVersionConfig, "true")
	data, err := latest.FromConnectData(topic, s, schemas.NewStruct(s).MustPut("a", int32(7)))
	if err != nil {
		t.Fatal(err)
	}
	gs, v, err := newConverter(t, url, false).ToConnectData(topic, data)
	if err != nil {
		t.Fatal(err)
	}
	st := v.(*schemas.Struct)
	if len(gs.Fields) != 2 || st.Get("a") != int32(7) || st.Get("b") != "bee" {
		t.Fatalf("written with the latest version: %v %v", gs, v)
	}
	// A latest version that cannot read the record's schema is refused.
	s2 := schemas.NewBuilder(schemas.TypeStruct).Name("latest.R").Field("a", schemas.StringSchema).MustBuild()
	if _, err := latest.FromConnectData(topic, s2, schemas.NewStruct(s2).MustPut("a", "x")); err == nil || !strings.Contains(err.Error(), "cannot read records") {
		t.Fatalf("incompatible latest version: %v", err)
	}
	if _, err := lookup.FromConnectData(topic, s, schemas.NewStruct(s).MustPut("a", int32(1))); err == nil {
		t.Fatal("lookup found a schema that was never registered")
	}

}

// uniqueName keeps the subjects of test runs apart in a registry that lives
// across runs.
func uniqueName() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }
