package config

import "testing"

func TestDocs(t *testing.T) {
	d := NewDef().
		Define(Key{Name: "batch.size", Type: Int, Default: 2000, Validator: AtLeast(1), Importance: Low, Doc: "Records per poll."}).
		Define(Key{Name: "topic", Type: String, Default: NoDefault, Validator: NonEmptyString(), Importance: High, Doc: "The topic | target."}).
		Define(Key{Name: "file", Type: String, Default: nil, Importance: High, Doc: "Source file.\nStandard input if unset."}).
		Define(Key{Name: "mode", Type: String, Default: "", Importance: Medium, Group: "Advanced", OrderInGroup: 2, Doc: "Mode."}).
		Define(Key{Name: "poll.interval.ms", Type: Long, Default: 300000, Importance: Low, Group: "Advanced", OrderInGroup: 1}).
		Define(Key{Name: "buffer.bytes", Type: Int, Default: 65536, Importance: Low, Group: "Advanced", OrderInGroup: 3}).
		Define(Key{Name: "odd.ms", Type: Long, Default: 1500, Importance: Low, Group: "Advanced", OrderInGroup: 4})

	want := "| Name | Type | Default | Valid values | Importance | Description |\n" +
		"|---|---|---|---|---|---|\n" +
		"| `topic` | string | *required* | non-empty string | high | The topic \\| target. |\n" +
		"| `file` | string | null |  | high | Source file.<br>Standard input if unset. |\n" +
		"| `batch.size` | int | 2000 | [1,...] | low | Records per poll. |\n" +
		"| `poll.interval.ms` | long | 300000 (5 minutes) |  | low |  |\n" +
		"| `mode` | string | \"\" |  | medium | Mode. |\n" +
		"| `buffer.bytes` | int | 65536 (64 kibibytes) |  | low |  |\n" +
		"| `odd.ms` | long | 1500 |  | low |  |\n"
	if got := d.Docs(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
