package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// golden is a capture's index.
type golden struct {
	Prefix  string   `json:"prefix"`
	URL     string   `json:"url"`
	Dir     string   `json:"dir"`
	Answers []answer `json:"calls"`
}

// compare prints one line per difference between the run and the golden
// capture in dir, and returns how many there are.
func compare(w io.Writer, r *run, dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return 0, fmt.Errorf("golden index: %w", err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		return 0, fmt.Errorf("golden index: %w", err)
	}
	hostOf := func(u string) string { return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://") }
	pairs := []string{r.prefix, g.Prefix, hostOf(r.base), hostOf(g.URL), r.dir, g.Dir}
	if r.pluginVersion != "" {
		// Quoted or in a version list ("[0.1.0]", "[0.1.0, 0.2.0]"), not
		// inside another string such as the worker's "0.1.0-dev".
		v := r.pluginVersion
		pairs = append(pairs, `"`+v+`"`, `"`+kafkaVersion+`"`, "["+v+"]", "["+kafkaVersion+"]",
			"["+v+",", "["+kafkaVersion+",", " "+v+"]", " "+kafkaVersion+"]")
	}
	norm := strings.NewReplacer(pairs...)
	got := map[string]answer{}
	for _, a := range r.answers {
		got[a.Name] = a
	}
	n := 0
	report := func(name, format string, args ...any) {
		n++
		fmt.Fprintf(w, "%-44s %s\n", name, fmt.Sprintf(format, args...))
	}
	for _, f := range r.failedSteps {
		report("(step)", "%s", f)
	}
	for _, ga := range g.Answers {
		sa, ok := got[ga.Name]
		if !ok {
			report(ga.Name, "not sent")
			continue
		}
		if ga.Status != sa.Status {
			report(ga.Name, "status: kc=%d sluice=%d", ga.Status, sa.Status)
		}
		for k, v := range ga.Headers {
			if sv := sa.Header(k); sv != v {
				report(ga.Name, "header %s: kc=%q sluice=%q", k, v, sv)
			}
		}
		var gb []byte
		if ga.File != "" {
			if gb, err = os.ReadFile(filepath.Join(dir, ga.File)); err != nil {
				return n, fmt.Errorf("golden %s: %w", ga.File, err)
			}
		}
		sb := []byte(norm.Replace(string(sa.Answer)))
		for _, d := range diffBodies(gb, sb) {
			report(ga.Name, "%s", d)
		}
	}
	names := make([]string, 0, len(r.topics))
	for name := range r.topics {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		gb, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			report(name, "no golden dump")
			continue
		}
		var grecs []record
		if err := json.Unmarshal(gb, &grecs); err != nil {
			return n, fmt.Errorf("golden %s: %w", name, err)
		}
		for _, d := range diffRecords(grecs, r.topics[name], norm) {
			report(name, "%s", d)
		}
	}
	for name, d := range r.described {
		gb, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			report(name, "no golden description")
			continue
		}
		var gv, sv any
		if err := json.Unmarshal(gb, &gv); err != nil {
			return n, fmt.Errorf("golden %s: %w", name, err)
		}
		b, _ := json.Marshal(d)
		_ = json.Unmarshal(b, &sv)
		var out []string
		diff("", gv, sv, &out)
		for _, x := range out {
			report(name, "%s", x)
		}
	}
	return n, nil
}

// Header is the answer's header k, for the headers kept.
func (a answer) Header(k string) string { return a.Headers[k] }

// diffBodies compares two answer bodies: JSON field by field, else as text.
func diffBodies(g, s []byte) []string {
	g, s = bytes.TrimSpace(g), bytes.TrimSpace(s)
	var gv, sv any
	gErr, sErr := json.Unmarshal(g, &gv), json.Unmarshal(s, &sv)
	if len(g) == 0 && len(s) == 0 {
		return nil
	}
	if gErr != nil || sErr != nil {
		if !bytes.Equal(g, s) {
			return []string{fmt.Sprintf("body: kc=%s sluice=%s", short(string(g)), short(string(s)))}
		}
		return nil
	}
	var out []string
	diff("", gv, sv, &out)
	return out
}

// diffRecords compares internal-topic records: the two sequences of keys
// are aligned (longest common subsequence), then a record only one side
// wrote is one line and the values of aligned records are compared field by
// field.
func diffRecords(g, s []record, norm *strings.Replacer) []string {
	keyOf := func(r record) string {
		if r.Key == nil {
			return "<null>"
		}
		return norm.Replace(*r.Key)
	}
	n, m := len(g), len(s)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case keyOf(g[i]) == keyOf(s[j]):
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && keyOf(g[i]) == keyOf(s[j]):
			var gv, sv any
			_ = json.Unmarshal(g[i].Value, &gv)
			_ = json.Unmarshal([]byte(norm.Replace(string(s[j].Value))), &sv)
			var d []string
			diff("", gv, sv, &d)
			for _, x := range d {
				out = append(out, fmt.Sprintf("kc #%d / sluice #%d %s %s", g[i].Offset, s[j].Offset, keyOf(g[i]), x))
			}
			i, j = i+1, j+1
		case j >= m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, fmt.Sprintf("kc #%d only in kc: %s=%s", g[i].Offset, keyOf(g[i]), short(compact(g[i].Value))))
			i++
		default:
			out = append(out, fmt.Sprintf("sluice #%d only in sluice: %s=%s", s[j].Offset, keyOf(s[j]), short(norm.Replace(compact(s[j].Value)))))
			j++
		}
	}
	return out
}

// ignored are path suffixes left out of the comparison (-ignore).
var ignored []string

// volatile are the fields whose values differ between any two runs.
var volatile = map[string]bool{"/commit": true, "/kafka_cluster_id": true,
	"/creation-timestamp": true, "/topic/discoverTimestamp": true, "/generation": true}

// diff appends to out one line per difference of g (Kafka Connect) and s (sluice).
func diff(path string, g, s any, out *[]string) {
	if volatile[path] {
		return
	}
	for _, suf := range ignored {
		if strings.HasSuffix(path, suf) {
			return
		}
	}
	if strings.HasSuffix(path, "/trace") {
		if (g == nil) != (s == nil) {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", path, short(js(g)), short(js(s))))
		}
		return
	}
	switch gv := g.(type) {
	case map[string]any:
		sv, ok := s.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", orRoot(path), short(js(g)), short(js(s))))
			return
		}
		keys := make([]string, 0, len(gv)+len(sv))
		for k := range gv {
			keys = append(keys, k)
		}
		for k := range sv {
			if _, ok := gv[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			gx, gok := gv[k]
			sx, sok := sv[k]
			p := path + "/" + k
			switch {
			case !sok:
				*out = append(*out, fmt.Sprintf("%s: missing in sluice (kc=%s)", p, short(js(gx))))
			case !gok:
				*out = append(*out, fmt.Sprintf("%s: only in sluice (%s)", p, short(js(sx))))
			default:
				diff(p, gx, sx, out)
			}
		}
	case []any:
		sv, ok := s.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", orRoot(path), short(js(g)), short(js(s))))
			return
		}
		if gk, sk := keyed(gv), keyed(sv); gk != nil && sk != nil {
			names := make([]string, 0, len(gk)+len(sk))
			for k := range gk {
				names = append(names, k)
			}
			for k := range sk {
				if _, ok := gk[k]; !ok {
					names = append(names, k)
				}
			}
			sort.Strings(names)
			for _, k := range names {
				gx, gok := gk[k]
				sx, sok := sk[k]
				p := path + "[" + k + "]"
				switch {
				case !sok:
					*out = append(*out, fmt.Sprintf("%s: missing in sluice", p))
				case !gok:
					*out = append(*out, fmt.Sprintf("%s: only in sluice", p))
				default:
					diff(p, gx, sx, out)
				}
			}
			return
		}
		if len(gv) != len(sv) {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", orRoot(path), short(js(g)), short(js(s))))
			return
		}
		for i := range gv {
			diff(fmt.Sprintf("%s[%d]", path, i), gv[i], sv[i], out)
		}
	default:
		if js(g) != js(s) {
			*out = append(*out, fmt.Sprintf("%s: kc=%s sluice=%s", orRoot(path), short(js(g)), short(js(s))))
		}
	}
}

// keyed indexes a list of objects by their name ("name", "class",
// "definition.name" or "id"), or returns nil when the elements have none or
// share one.
func keyed(l []any) map[string]any {
	if len(l) == 0 {
		return nil
	}
	m := map[string]any{}
	for _, e := range l {
		o, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		var k string
		switch {
		case o["definition"] != nil:
			d, _ := o["definition"].(map[string]any)
			k, _ = d["name"].(string)
		case o["value"] != nil && o["config"] == nil:
			v, _ := o["value"].(map[string]any)
			k, _ = v["name"].(string)
		case o["class"] != nil:
			k, _ = o["class"].(string)
			if t, ok := o["type"].(string); ok {
				k = t + ":" + k
			}
		case o["name"] != nil:
			k, _ = o["name"].(string)
		case o["id"] != nil:
			k = js(o["id"])
		}
		if k == "" {
			return nil
		}
		if _, dup := m[k]; dup {
			return nil
		}
		m[k] = e
	}
	return m
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func short(s string) string {
	if len(s) > 160 {
		return s[:157] + "..."
	}
	return s
}

// compact is v without insignificant white space.
func compact(v []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}

// loadRun reads a run's answers written by write (compare -from).
func loadRun(dir string) (*run, error) {
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("load run: %w", err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("load run: %w", err)
	}
	r := &run{base: g.URL, prefix: g.Prefix, dir: g.Dir, topics: map[string][]record{}, described: map[string]topicDesc{}}
	files := map[string]bool{"index.json": true}
	for _, a := range g.Answers {
		if a.File != "" {
			files[a.File] = true
			if a.Answer, err = os.ReadFile(filepath.Join(dir, a.File)); err != nil {
				return nil, fmt.Errorf("load run: %w", err)
			}
		}
		r.answers = append(r.answers, a)
	}
	all, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("load run: %w", err)
	}
	for _, f := range all {
		base := filepath.Base(f)
		name := strings.TrimSuffix(base, ".json")
		if files[base] {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("load run: %w", err)
		}
		switch {
		case strings.HasPrefix(name, "config-topic-") || strings.HasPrefix(name, "status-topic-"):
			var recs []record
			if err := json.Unmarshal(b, &recs); err != nil {
				return nil, fmt.Errorf("load run %s: %w", base, err)
			}
			r.topics[name] = recs
		case strings.HasPrefix(name, "topic-"):
			var d topicDesc
			if err := json.Unmarshal(b, &d); err != nil {
				return nil, fmt.Errorf("load run %s: %w", base, err)
			}
			r.described[name] = d
		}
	}
	return r, nil
}
