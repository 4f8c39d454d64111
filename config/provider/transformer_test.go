package provider

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fixture is a directory tree for the file and directory providers:
//
//	root/secrets/db.properties   a properties file
//	root/secrets/k8s/            a directory of secret files
//	root/other/x.properties      outside the allowed paths
//	root/sec/                    a prefix of root/secrets, but not its parent
type fixture struct {
	root, secrets, props, k8s, other, otherProps string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir()) // macOS: /var -> /private/var
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{
		root:    root,
		secrets: filepath.Join(root, "secrets"),
		other:   filepath.Join(root, "other"),
	}
	f.props = filepath.Join(f.secrets, "db.properties")
	f.k8s = filepath.Join(f.secrets, "k8s")
	f.otherProps = filepath.Join(f.other, "x.properties")
	for _, d := range []string{f.secrets, f.k8s, filepath.Join(f.k8s, "subdir"), f.other, filepath.Join(root, "sec")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, f.props, ""+
		"# database credentials\n"+
		"db.user = app\n"+
		"db.password=s3cr3t\n"+
		"url=jdbc:mysql://${host}:3306/db\n"+ // not expanded
		"with\\:colon=colon-value\n"+
		"unicode=caf\\u00e9\n"+
		"empty=\n")
	write(t, filepath.Join(f.k8s, "password"), "k8s-secret\n")
	write(t, filepath.Join(f.k8s, "token"), "tok")
	// Kubernetes mounts a secret as links into a timestamped directory.
	data := filepath.Join(f.k8s, "..2024_01_01")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(data, "api-key"), "from-k8s")
	symlink(t, "..2024_01_01", filepath.Join(f.k8s, "..data"))
	symlink(t, "..data/api-key", filepath.Join(f.k8s, "api-key"))
	write(t, filepath.Join(f.root, "bad.properties"), "x=\\uZZZZ\n")
	write(t, f.otherProps, "db.password=elsewhere\n")
	return f
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func workerConfig(f fixture, extra ...string) map[string]string {
	w := map[string]string{
		"config.providers":                                "env, file,dir, restricted",
		"config.providers.env.class":                      "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"config.providers.file.class":                     "FileConfigProvider",
		"config.providers.dir.class":                      "Directory",
		"config.providers.restricted.class":               "org.apache.kafka.common.config.provider.FileConfigProvider",
		"config.providers.restricted.param.allowed.paths": f.secrets,
		"bootstrap.servers":                               "localhost:9092",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		w[extra[i]] = extra[i+1]
	}
	return w
}

func TestTransform(t *testing.T) {
	f := newFixture(t)
	t.Setenv("SLUICE_TEST_USER", "alice")
	t.Setenv("SLUICE_TEST_PASS", "pa:ss}")
	t.Setenv("SLUICE_TEST_EMPTY", "")
	os.Unsetenv("SLUICE_TEST_UNSET")

	tests := []struct {
		name   string
		worker map[string]string // default workerConfig(f)
		props  map[string]string
		want   map[string]string
	}{
		{
			name:  "env",
			props: map[string]string{"connection.user": "${env:SLUICE_TEST_USER}", "empty": "${env:SLUICE_TEST_EMPTY}"},
			want:  map[string]string{"connection.user": "alice", "empty": ""},
		},
		{
			name: "several variables in one value, text around them, values not rescanned",
			props: map[string]string{
				"connection.url": "jdbc:mysql://${env:SLUICE_TEST_USER}:${env:SLUICE_TEST_PASS}@h/${env:SLUICE_TEST_USER}?x=${file:" + f.props + ":db.user}",
				"plain":          "no variables here",
			},
			want: map[string]string{
				"connection.url": "jdbc:mysql://alice:pa:ss}@h/alice?x=app",
				"plain":          "no variables here",
			},
		},
		{
			name: "file",
			props: map[string]string{
				"user":      "${file:" + f.props + ":db.user}",
				"password":  "${file:" + f.props + ":db.password}",
				"url":       "${file:" + f.props + ":url}",
				"colon":     "${file:" + f.props + ":with:colon}",
				"unicode":   "${file:" + f.props + ":unicode}",
				"empty":     "[${file:" + f.props + ":empty}]",
				"allowed":   "${restricted:" + f.props + ":db.password}",
				"dotdot-ok": "${restricted:" + f.other + "/../secrets/db.properties:db.user}",
			},
			want: map[string]string{
				"user":      "app",
				"password":  "s3cr3t",
				"url":       "jdbc:mysql://${host}:3306/db",
				"colon":     "colon-value",
				"unicode":   "café",
				"empty":     "[]",
				"allowed":   "s3cr3t",
				"dotdot-ok": "app",
			},
		},
		{
			name: "dir: file contents as they are",
			props: map[string]string{
				"password": "${dir:" + f.k8s + ":password}",
				"token":    "Bearer ${dir:" + f.k8s + ":token}",
			},
			want: map[string]string{"password": "k8s-secret\n", "token": "Bearer tok"},
		},
		{
			name:   "dir: Kubernetes links inside allowed.paths",
			worker: workerConfig(f, "config.providers.dir.param.allowed.paths", f.k8s),
			props:  map[string]string{"key": "${dir:" + f.k8s + ":api-key}"},
			want:   map[string]string{"key": "from-k8s"},
		},
		{
			name: "unknown aliases and non-variables are left as they are",
			props: map[string]string{
				"vault":     "${vault:secret/db:password}",
				"no-colon":  "${env}",
				"open":      "${env:SLUICE_TEST_USER",
				"dollar":    "$ {env:SLUICE_TEST_USER}",
				"empty":     "${:x}",
				"case":      "${ENV:SLUICE_TEST_USER}",
				"mixed":     "${vault:a} and ${env:SLUICE_TEST_USER}",
				"templated": "${topic}-${timestamp}",
			},
			want: map[string]string{
				"vault":     "${vault:secret/db:password}",
				"no-colon":  "${env}",
				"open":      "${env:SLUICE_TEST_USER",
				"dollar":    "$ {env:SLUICE_TEST_USER}",
				"empty":     "${:x}",
				"case":      "${ENV:SLUICE_TEST_USER}",
				"mixed":     "${vault:a} and alice",
				"templated": "${topic}-${timestamp}",
			},
		},
		{
			name:   "allowlist lets matching names through",
			worker: workerConfig(f, "config.providers.env.param.allowlist.pattern", "SLUICE_TEST_.*"),
			props:  map[string]string{"u": "${env:SLUICE_TEST_USER}"},
			want:   map[string]string{"u": "alice"},
		},
		{
			name:   "no providers: nothing resolved",
			worker: map[string]string{"bootstrap.servers": "x"},
			props:  map[string]string{"u": "${env:SLUICE_TEST_USER}"},
			want:   map[string]string{"u": "${env:SLUICE_TEST_USER}"},
		},
		{
			name:  "nil props",
			props: nil,
			want:  map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.worker
			if w == nil {
				w = workerConfig(f)
			}
			tr, err := NewTransformer(w)
			if err != nil {
				t.Fatal(err)
			}
			before := maps.Clone(tt.props)
			got, err := tr.Transform(tt.props)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Transform =\n%q\nwant\n%q", got, tt.want)
			}
			if !reflect.DeepEqual(tt.props, before) {
				t.Errorf("Transform changed its input: %q", tt.props)
			}
			if len(got) > 0 {
				for k := range got {
					got[k] = "changed"
				}
				if !reflect.DeepEqual(tt.props, before) {
					t.Error("the result shares storage with the input")
				}
			}
		})
	}
}

func TestTransformErrors(t *testing.T) {
	f := newFixture(t)
	t.Setenv("SLUICE_TEST_USER", "alice")
	t.Setenv("MY_SLUICE_TEST_USER", "bob")
	os.Unsetenv("DB_PASS")
	link := filepath.Join(f.secrets, "link.properties")
	if err := os.Symlink(f.otherProps, link); err != nil {
		t.Fatal(err)
	}
	linkDir := filepath.Join(f.secrets, "linkdir")
	symlink(t, f.other, linkDir)
	symlink(t, f.otherProps, filepath.Join(f.k8s, "outside"))

	tests := []struct {
		name     string
		worker   map[string]string
		props    map[string]string
		want     string // the whole error text
		notFound bool   // errors.Is(err, ErrNotFound)
		is       error
	}{
		{
			name:     "env not set",
			props:    map[string]string{"connection.password": "${env:DB_PASS}", "ok": "${env:SLUICE_TEST_USER}"},
			want:     `config key "connection.password": ${env:DB_PASS}: environment variable DB_PASS is not set`,
			notFound: true,
		},
		{
			name:     "env not allowed: the pattern must match the whole name",
			worker:   workerConfig(f, "config.providers.env.param.allowlist.pattern", "SLUICE_TEST_.*"),
			props:    map[string]string{"u": "${env:MY_SLUICE_TEST_USER}"},
			want:     `config key "u": ${env:MY_SLUICE_TEST_USER}: environment variable MY_SLUICE_TEST_USER is not allowed by allowlist.pattern SLUICE_TEST_.*`,
			notFound: true,
		},
		{
			name:  "env with a path",
			props: map[string]string{"u": "${env:/x:SLUICE_TEST_USER}"},
			want:  `config key "u": ${env:/x:SLUICE_TEST_USER}: environment variables have no path, got "/x" (write ${alias:NAME})`,
		},
		{
			name:     "file key missing",
			props:    map[string]string{"pw": "${file:" + f.props + ":pw}"},
			want:     `config key "pw": ${file:` + f.props + `:pw}: key "pw" not found in ` + f.props,
			notFound: true,
		},
		{
			name:  "file does not exist",
			props: map[string]string{"pw": "${file:" + f.root + "/nope.properties:pw}"},
			want:  `config key "pw": ${file:` + f.root + `/nope.properties:pw}: could not read properties file: open ` + f.root + `/nope.properties: no such file or directory`,
			is:    fs.ErrNotExist,
		},
		{
			name:  "file that does not parse",
			props: map[string]string{"pw": "${file:" + f.root + "/bad.properties:x}"},
			want:  `config key "pw": ${file:` + f.root + `/bad.properties:x}: could not parse properties file ` + f.root + `/bad.properties: `,
		},
		{
			name:  "file without a path",
			props: map[string]string{"pw": "${file:pw}"},
			want:  `config key "pw": ${file:pw}: no properties file given (write ${alias:/path/to/file.properties:key})`,
		},
		{
			name:  "file outside allowed.paths",
			props: map[string]string{"pw": "${restricted:" + f.otherProps + ":db.password}"},
			want:  `config key "pw": ${restricted:` + f.otherProps + `:db.password}: path ` + f.otherProps + ` is not in allowed.paths [` + f.secrets + `]`,
		},
		{
			name:  "file escaping allowed.paths with ..",
			props: map[string]string{"pw": "${restricted:" + f.secrets + "/../other/x.properties:db.password}"},
			want:  `config key "pw": ${restricted:` + f.secrets + `/../other/x.properties:db.password}: path ` + f.secrets + `/../other/x.properties is not in allowed.paths [` + f.secrets + `]`,
		},
		{
			name:  "file relative path with allowed.paths",
			props: map[string]string{"pw": "${restricted:db.properties:db.password}"},
			want:  `config key "pw": ${restricted:db.properties:db.password}: path db.properties is not in allowed.paths [` + f.secrets + `]`,
		},
		{
			name:   "a sibling with the allowed path as a prefix is not allowed",
			worker: workerConfig(f, "config.providers.restricted.param.allowed.paths", f.root+"/sec"),
			props:  map[string]string{"pw": "${restricted:" + f.props + ":db.password}"},
			want:   `config key "pw": ${restricted:` + f.props + `:db.password}: path ` + f.props + ` is not in allowed.paths [` + f.root + `/sec]`,
		},
		{
			name:  "file escaping allowed.paths through a symbolic link",
			props: map[string]string{"pw": "${restricted:" + link + ":db.password}"},
			want:  `config key "pw": ${restricted:` + link + `:db.password}: path ` + link + ` leads to ` + f.otherProps + `, which is not in allowed.paths [` + f.secrets + `]`,
		},
		{
			name:     "dir file missing",
			props:    map[string]string{"pw": "${dir:" + f.k8s + ":nope}"},
			want:     `config key "pw": ${dir:` + f.k8s + `:nope}: file "nope" not found in directory ` + f.k8s,
			notFound: true,
		},
		{
			name:     "dir key that is a directory",
			props:    map[string]string{"pw": "${dir:" + f.k8s + ":subdir}"},
			want:     `config key "pw": ${dir:` + f.k8s + `:subdir}: ` + f.k8s + `/subdir is not a regular file`,
			notFound: true,
		},
		{
			name:     "dir key that is not a file name",
			props:    map[string]string{"pw": "${dir:" + f.k8s + ":../db.properties}"},
			want:     `config key "pw": ${dir:` + f.k8s + `:../db.properties}: "../db.properties" is not a file name`,
			notFound: true,
		},
		{
			name:  "dir path is a file",
			props: map[string]string{"pw": "${dir:" + f.props + ":x}"},
			want:  `config key "pw": ${dir:` + f.props + `:x}: ` + f.props + ` is not a directory`,
		},
		{
			name:   "dir outside allowed.paths",
			worker: workerConfig(f, "config.providers.dir.param.allowed.paths", f.k8s),
			props:  map[string]string{"pw": "${dir:" + f.other + ":x.properties}"},
			want:   `config key "pw": ${dir:` + f.other + `:x.properties}: path ` + f.other + ` is not in allowed.paths [` + f.k8s + `]`,
		},
		{
			name:   "dir escaping allowed.paths through a symbolic link",
			worker: workerConfig(f, "config.providers.dir.param.allowed.paths", f.secrets),
			props:  map[string]string{"pw": "${dir:" + linkDir + ":x.properties}"},
			want:   `config key "pw": ${dir:` + linkDir + `:x.properties}: path ` + linkDir + ` leads to ` + f.other + `, which is not in allowed.paths [` + f.secrets + `]`,
		},
		{
			name:     "dir file linking out of allowed.paths",
			worker:   workerConfig(f, "config.providers.dir.param.allowed.paths", f.k8s),
			props:    map[string]string{"pw": "${dir:" + f.k8s + ":outside}"},
			want:     `config key "pw": ${dir:` + f.k8s + `:outside}: path ` + f.k8s + `/outside leads to ` + f.otherProps + `, which is not in allowed.paths [` + f.k8s + `]`,
			notFound: true,
		},
		{
			name:  "dir does not exist",
			props: map[string]string{"pw": "${dir:" + f.root + "/nodir:x}"},
			want:  `config key "pw": ${dir:` + f.root + `/nodir:x}: could not read directory: stat ` + f.root + `/nodir: no such file or directory`,
			is:    fs.ErrNotExist,
		},
		{
			name:  "dir without a path",
			props: map[string]string{"pw": "${dir:x}"},
			want:  `config key "pw": ${dir:x}: no directory given (write ${alias:/path/to/dir:filename})`,
		},
		{
			name: "every failure is reported, by config key",
			props: map[string]string{
				"z": "${env:DB_PASS}",
				"a": "x=${env:DB_PASS} y=${file:" + f.props + ":nope}",
				"m": "${env:SLUICE_TEST_USER}",
			},
			want: `config key "a": ${env:DB_PASS}: environment variable DB_PASS is not set` + "\n" +
				`config key "a": ${file:` + f.props + `:nope}: key "nope" not found in ` + f.props + "\n" +
				`config key "z": ${env:DB_PASS}: environment variable DB_PASS is not set`,
			notFound: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.worker
			if w == nil {
				w = workerConfig(f)
			}
			tr, err := NewTransformer(w)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tr.Transform(tt.props)
			if err == nil {
				t.Fatalf("Transform = %q, want an error", got)
			}
			if got != nil {
				t.Errorf("Transform returned a map with its error: %q", got)
			}
			if err.Error() != tt.want && !(strings.HasSuffix(tt.want, ": ") && strings.HasPrefix(err.Error(), tt.want)) {
				t.Errorf("error =\n%s\nwant\n%s", err, tt.want)
			}
			var ve *VariableError
			if !errors.As(err, &ve) {
				t.Errorf("error %T is not a *VariableError", err)
			}
			if errors.Is(err, ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v", !tt.notFound)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error does not wrap %v", tt.is)
			}
		})
	}
}

func TestNewTransformerErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		worker map[string]string
		want   []string // each must appear in the error
	}{
		{
			name: "unknown class",
			worker: map[string]string{
				"config.providers":             "vault",
				"config.providers.vault.class": "com.example.VaultConfigProvider",
			},
			want: []string{"Invalid value com.example.VaultConfigProvider for configuration config.providers.vault.class: " +
				"unknown config provider class; available: org.apache.kafka.common.config.provider.DirectoryConfigProvider, " +
				"org.apache.kafka.common.config.provider.EnvVarConfigProvider, org.apache.kafka.common.config.provider.FileConfigProvider"},
		},
		{
			name:   "missing class",
			worker: map[string]string{"config.providers": "env"},
			want:   []string{`Missing required configuration "config.providers.env.class" which has no default value. (config provider "env" is listed in config.providers)`},
		},
		{
			name:   "blank class",
			worker: map[string]string{"config.providers": "env", "config.providers.env.class": "  "},
			want:   []string{`"config.providers.env.class"`},
		},
		{
			name: "allowlist.pattern Go cannot compile",
			worker: map[string]string{
				"config.providers":                             "env",
				"config.providers.env.class":                   "EnvVar",
				"config.providers.env.param.allowlist.pattern": "(?!SECRET).*",
			},
			want: []string{"Invalid value (?!SECRET).* for configuration config.providers.env.param.allowlist.pattern: not a regular expression sluice accepts (Go RE2 syntax"},
		},
		{
			name: "allowed.paths not absolute",
			worker: map[string]string{
				"config.providers":                          "file",
				"config.providers.file.class":               "File",
				"config.providers.file.param.allowed.paths": dir + ",relative/dir",
			},
			want: []string{"for configuration config.providers.file.param.allowed.paths: path relative/dir is not absolute"},
		},
		{
			name: "allowed.paths does not exist",
			worker: map[string]string{
				"config.providers":                         "dir",
				"config.providers.dir.class":               "DirectoryConfigProvider",
				"config.providers.dir.param.allowed.paths": dir + "/missing",
			},
			want: []string{"for configuration config.providers.dir.param.allowed.paths: path " + dir + "/missing does not exist"},
		},
		{
			name: "every problem is reported",
			worker: map[string]string{
				"config.providers":          "a,b,ok",
				"config.providers.b.class":  "Nope",
				"config.providers.ok.class": "File",
			},
			want: []string{`"config.providers.a.class"`, "Invalid value Nope for configuration config.providers.b.class"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := NewTransformer(tt.worker)
			if err == nil {
				t.Fatalf("NewTransformer = %v, want an error", tr)
			}
			if tr != nil {
				t.Error("NewTransformer returned a Transformer with its error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

func TestClassNames(t *testing.T) {
	for _, name := range []string{
		"org.apache.kafka.common.config.provider.EnvVarConfigProvider", "EnvVarConfigProvider", "EnvVar",
		"org.apache.kafka.common.config.provider.FileConfigProvider", "FileConfigProvider", "File",
		"org.apache.kafka.common.config.provider.DirectoryConfigProvider", "DirectoryConfigProvider", "Directory",
	} {
		if _, ok := lookupClass(name); !ok {
			t.Errorf("class %s not found", name)
		}
	}
	for _, name := range []string{"", "env", "file", "org.apache.kafka.common.config.provider.Env", "ConfigProvider", "fileConfigProvider"} {
		if _, ok := lookupClass(name); ok {
			t.Errorf("class %q found", name)
		}
	}
}

// countingProvider records its calls and knows the keys in data.
type countingProvider struct {
	calls []string
	data  map[string]string
}

func (p *countingProvider) Get(path string, keys []string) (map[string]string, error) {
	p.calls = append(p.calls, path+"|"+strings.Join(keys, ","))
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := p.data[path+":"+k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func TestTransformAsksOncePerPath(t *testing.T) {
	p := &countingProvider{data: map[string]string{"/a:x": "1", "/a:y": "2", "/b:x": "3", ":x": "4"}}
	tr := &Transformer{providers: map[string]Provider{"c": p}}
	got, err := tr.Transform(map[string]string{
		"k1": "${c:/a:x}${c:/a:y}",
		"k2": "${c:/a:x}-${c:/b:x}",
		"k3": "${c:x}",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"k1": "12", "k2": "1-3", "k3": "4"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Transform = %q, want %q", got, want)
	}
	calls := strings.Join(sorted(p.calls), " ")
	if calls != "/a|x,y /b|x |x" {
		t.Errorf("calls = %s", calls)
	}

	// A provider without explanations gets a generic message.
	_, err = tr.Transform(map[string]string{"k": "${c:/a:nope}", "l": "${c:nope}"})
	want2 := `config key "k": ${c:/a:nope}: key "nope" not found in /a` + "\n" +
		`config key "l": ${c:nope}: key "nope" not found`
	if err == nil || err.Error() != want2 {
		t.Errorf("error = %v, want %s", err, want2)
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestNilTransformer(t *testing.T) {
	var tr *Transformer
	in := map[string]string{"pw": "${env:HOME}"}
	got, err := tr.Transform(in)
	if err != nil || !reflect.DeepEqual(got, in) {
		t.Errorf("Transform = %q, %v", got, err)
	}
	got["pw"] = "x"
	if in["pw"] != "${env:HOME}" {
		t.Error("nil Transformer returned its input, not a copy")
	}
	if tr.HasVariables("${env:HOME}") {
		t.Error("nil Transformer has variables")
	}
	task := map[string]string{"pw": "resolved"}
	rev := tr.Reverse(in, task)
	if !reflect.DeepEqual(rev, task) {
		t.Errorf("Reverse = %q", rev)
	}
	rev["pw"] = "y"
	if task["pw"] != "resolved" {
		t.Error("Reverse returned its input, not a copy")
	}
}

func TestHasVariables(t *testing.T) {
	tr, err := NewTransformer(map[string]string{"config.providers": "env", "config.providers.env.class": "EnvVar"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value string
		want  bool
	}{
		{"${env:X}", true},
		{"prefix ${env:X} suffix", true},
		{"${vault:a} ${env:X}", true},
		{"${env:/p:X}", true},
		{"${vault:X}", false},
		{"${env}", false},
		{"${env:X", false},
		{"plain", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tr.HasVariables(tt.value); got != tt.want {
			t.Errorf("HasVariables(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestReverse(t *testing.T) {
	tr, err := NewTransformer(map[string]string{"config.providers": "env", "config.providers.env.class": "EnvVar"})
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{
		"connector.class":     "JdbcSink",
		"connection.password": "${env:DB_PASS}",
		"connection.url":      "jdbc:x://${env:DB_HOST}/db",
		"other.provider":      "${vault:secret:pw}",
		"not.in.task":         "${env:NOT_IN_TASK}",
	}
	task := map[string]string{
		"task.class":          "JdbcSinkTask",
		"connection.password": "s3cr3t",
		"connection.url":      "jdbc:x://db.internal/db",
		"other.provider":      "vault-resolved",
	}
	before := maps.Clone(task)
	got := tr.Reverse(raw, task)
	want := map[string]string{
		"task.class":          "JdbcSinkTask",
		"connection.password": "${env:DB_PASS}",
		"connection.url":      "jdbc:x://${env:DB_HOST}/db",
		"other.provider":      "vault-resolved",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Reverse = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(task, before) {
		t.Errorf("Reverse changed its input: %q", task)
	}
	if got := tr.Reverse(raw, nil); got == nil || len(got) != 0 {
		t.Errorf("Reverse(raw, nil) = %q", got)
	}
}

// TestResolveReturnsProviderValues: Resolve gives the values the providers
// put in, each once per variable, and none for values without variables or
// variables of unconfigured aliases.
func TestResolveReturnsProviderValues(t *testing.T) {
	f := newFixture(t)
	t.Setenv("SLUICE_TEST_USER", "alice")
	t.Setenv("SLUICE_TEST_PASS", "pa:ss}")
	tr, err := NewTransformer(workerConfig(f))
	if err != nil {
		t.Fatal(err)
	}
	out, values, err := tr.Resolve(map[string]string{
		"url":   "jdbc://${env:SLUICE_TEST_USER}:${env:SLUICE_TEST_PASS}@db",
		"plain": "x",
		"other": "${vault:a:b}",
	})
	if err != nil {
		t.Fatal(err)
	}
	if out["url"] != "jdbc://alice:pa:ss}@db" || out["other"] != "${vault:a:b}" {
		t.Fatalf("Resolve = %v", out)
	}
	slices.Sort(values)
	if want := []string{"alice", "pa:ss}"}; !slices.Equal(values, want) {
		t.Fatalf("values %q, want %q", values, want)
	}
	if _, values, err := tr.Resolve(map[string]string{"pw": "${env:SLUICE_TEST_MISSING}"}); err == nil || values != nil {
		t.Fatalf("unresolvable: %v, %v", values, err)
	}
}
