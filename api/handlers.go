package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/runtime/herder"
)

// configMap is a connector configuration in a request body. As in Kafka
// Connect (Jackson), a number or a boolean is taken as its JSON text; a null
// is kept as nil: a validation error, or in PATCH a removal. An object or
// array value is a 400 naming the key.
type configMap map[string]*string

func (c *configMap) UnmarshalJSON(b []byte) error {
	var raw map[string]configValue
	if err := json.Unmarshal(b, &raw); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return herder.BadRequest("Malformed request body: a connector configuration must be a JSON object of string values, got a JSON %s", typ.Value)
		}
		return err
	}
	out := make(configMap, len(raw))
	bad := ""
	for k, v := range raw {
		if v.kind != "" && (bad == "" || k < bad) {
			bad = k
		}
		out[k] = v.s
	}
	if bad != "" {
		return herder.BadRequest("Malformed request body: the value of configuration %q must be a string, got %s", bad, raw[bad].kind)
	}
	*c = out
	return nil
}

// configValue is one value of a configMap: a string, or the JSON text of a
// number or a boolean, or nil for null; kind names an object or an array,
// which are refused (with the key, by configMap).
type configValue struct {
	s    *string
	kind string
}

func (c *configValue) UnmarshalJSON(v []byte) error {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
	case v[0] == '"' && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v):
		// No escapes and valid UTF-8: the string is the bytes between the
		// quotes (json.Unmarshal checked the document before calling).
		s := string(v[1 : len(v)-1])
		c.s = &s
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		c.s = &s
	case v[0] == '{':
		c.kind = "an object"
	case v[0] == '[':
		c.kind = "an array"
	default: // number, true, false
		s := string(v)
		c.s = &s
	}
	return nil
}

// split separates the nulls, which Kafka Connect reports as validation
// errors, from the values.
func (c configMap) split() (map[string]string, []string) {
	vals := make(map[string]string, len(c))
	var nulls []string
	for k, v := range c {
		if v == nil {
			nulls = append(nulls, k)
			continue
		}
		vals[k] = *v
	}
	sort.Strings(nulls)
	return vals, nulls
}

const nullValueError = "Null value can not be supplied as the configuration value."

// addNullErrors marks null values in validation results as Kafka Connect
// does (AbstractHerder.validateConnectorConfig).
func addNullErrors(infos *herder.ConfigInfos, nulls []string) {
	for _, k := range nulls {
		found := false
		for _, c := range infos.Configs {
			if c.Value != nil && c.Value.Name == k {
				c.Value.Value = nil
				c.Value.Errors = append(c.Value.Errors, nullValueError)
				found = true
			}
		}
		if !found {
			infos.Configs = append(infos.Configs, herder.ConfigInfo{Value: &herder.ConfigValueInfo{
				Name: k, RecommendedValues: []string{}, Errors: []string{nullValueError}, Visible: true}})
		}
		infos.ErrorCount++
	}
}

func (s *server) serverInfo(w http.ResponseWriter, r *http.Request) error {
	info, err := get(s, r, s.Herder.ServerInfo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, info)
}

// waitNoter is a herder that can say what its worker is waiting for, such
// as tasks waiting for Kafka to be reachable.
type waitNoter interface{ WaitNote() string }

// health answers KIP-1017's /health: its body is a WorkerStatus even on
// failure. A worker whose tasks wait for Kafka is still healthy (restarting
// it would not bring Kafka back), and the message says what they wait for.
func (s *server) health(w http.ResponseWriter, r *http.Request) error {
	_, err := call(s, r, s.HealthTimeout, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.Herder.Ready(ctx) })
	writeJSON := func(w http.ResponseWriter, code int, st herder.WorkerStatus) error {
		if s.Redact != nil { // a wait note or start-up error may quote a setting
			st.Message = s.Redact(st.Message)
		}
		return writeJSON(w, code, st)
	}
	switch {
	case err == nil:
		msg := "Worker has completed startup and is ready to handle requests."
		if wn, ok := s.Herder.(waitNoter); ok {
			if note := wn.WaitNote(); note != "" {
				msg += " " + note + "."
			}
		}
		return writeJSON(w, http.StatusOK, herder.WorkerStatus{Status: "healthy", Message: msg})
	case herder.StatusCode(err) == http.StatusServiceUnavailable:
		return writeJSON(w, http.StatusServiceUnavailable, herder.WorkerStatus{Status: "starting", Message: "Worker is still starting up. " + err.Error()})
	}
	return writeJSON(w, http.StatusInternalServerError, herder.WorkerStatus{Status: "unhealthy",
		Message: "Worker was unable to handle this request and may be unable to handle other requests. " + err.Error()})
}

func (s *server) listConnectors(w http.ResponseWriter, r *http.Request) error {
	var status, info bool
	// Any expand parameter, even one naming nothing known, answers the
	// map form, each connector an object with the expansions asked for
	// ({} for none), as Kafka Connect does; unknown values are ignored.
	expand, expanded := r.URL.Query()["expand"]
	for _, e := range expand {
		switch strings.ToLower(e) {
		case "status":
			status = true
		case "info":
			info = true
		}
	}
	names, err := get(s, r, s.Herder.Connectors)
	if err != nil {
		return err
	}
	if !expanded {
		if names == nil {
			names = []string{}
		}
		return writeJSON(w, http.StatusOK, names)
	}
	out := make(map[string]herder.ConnectorExpanded, len(names))
	for _, n := range names {
		var e herder.ConnectorExpanded
		// A connector deleted meanwhile, or without status yet, is left
		// out, as Kafka Connect does.
		if status {
			st, err := get(s, r, func(ctx context.Context) (herder.ConnectorStateInfo, error) { return s.Herder.ConnectorStatus(ctx, n) })
			if err != nil {
				continue
			}
			e.Status = &st
		}
		if info {
			in, err := get(s, r, func(ctx context.Context) (herder.ConnectorInfo, error) { return s.Herder.ConnectorInfo(ctx, n) })
			if err != nil {
				continue
			}
			e.Info = &in
		}
		out[n] = e
	}
	return writeJSON(w, http.StatusOK, out)
}

// createRequest is the body of POST /connectors.
type createRequest struct {
	Name         *string   `json:"name"`
	Config       configMap `json:"config"`
	InitialState *string   `json:"initial_state"`
}

func (s *server) createConnector(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	var req createRequest
	if err := readJSON(r, &req); err != nil {
		if errors.Is(err, errNoBody) {
			return herder.BadRequest("Request body is required: {\"name\": \"...\", \"config\": {...}}")
		}
		return err
	}
	if req.Config == nil {
		return herder.BadRequest("Request body is missing the connector configuration: {\"name\": \"...\", \"config\": {...}}")
	}
	name := ""
	if req.Name != nil {
		name = strings.TrimSpace(*req.Name)
	}
	// Without initial_state the herder gets no target state: Kafka Connect
	// then writes no target-state record (a new connector starts).
	var initial herder.TargetState
	if req.InitialState != nil {
		var err error
		if initial, err = herder.ParseInitialState(*req.InitialState); err != nil {
			return err
		}
	}
	cfg, err := s.checkConfig(r, name, req.Config)
	if err != nil {
		return err
	}
	info, err := get(s, r, func(ctx context.Context) (herder.ConnectorInfo, error) {
		info, _, err := s.Herder.PutConnectorConfig(ctx, name, cfg, false, initial)
		return info, err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/connectors/"+url.PathEscape(info.Name))
	return writeJSON(w, http.StatusCreated, info)
}

// checkConfig applies Kafka Connect's name rules (the name in the
// configuration must match the URL's; it is added when absent) and reports
// null values as an invalid configuration.
func (s *server) checkConfig(r *http.Request, name string, body configMap) (map[string]string, error) {
	cfg, nulls := body.split()
	if n, ok := cfg["name"]; ok && n != name {
		return nil, herder.BadRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)
	}
	if len(nulls) == 0 {
		cfg["name"] = name
		return cfg, nil
	}
	cfg["name"] = name
	infos, err := get(s, r, func(ctx context.Context) (herder.ConfigInfos, error) {
		return s.Herder.ValidateConnectorConfig(ctx, cfg)
	})
	if err != nil {
		return nil, err
	}
	addNullErrors(&infos, nulls)
	return nil, herder.InvalidConfig(infos)
}

func (s *server) getConnector(w http.ResponseWriter, r *http.Request) error {
	info, err := get(s, r, func(ctx context.Context) (herder.ConnectorInfo, error) { return s.Herder.ConnectorInfo(ctx, nameOf(r)) })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, info)
}

func (s *server) deleteConnector(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	if err := do(s, r, func(ctx context.Context) error { return s.Herder.DeleteConnector(ctx, nameOf(r)) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) getConfig(w http.ResponseWriter, r *http.Request) error {
	cfg, err := get(s, r, func(ctx context.Context) (map[string]string, error) { return s.Herder.ConnectorConfig(ctx, nameOf(r)) })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cfg)
}

func (s *server) putConfig(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	var body configMap
	if err := readJSON(r, &body); err != nil {
		if errors.Is(err, errNoBody) {
			return herder.BadRequest("Request body is required: the connector configuration as a JSON object")
		}
		return err
	}
	if body == nil {
		return herder.BadRequest("Request body is required: the connector configuration as a JSON object")
	}
	name := nameOf(r)
	cfg, err := s.checkConfig(r, name, body)
	if err != nil {
		return err
	}
	type result struct {
		info    herder.ConnectorInfo
		created bool
	}
	res, err := get(s, r, func(ctx context.Context) (result, error) {
		info, created, err := s.Herder.PutConnectorConfig(ctx, name, cfg, true, "")
		return result{info, created}, err
	})
	if err != nil {
		return err
	}
	if res.created {
		w.Header().Set("Location", "/connectors/"+url.PathEscape(res.info.Name))
		return writeJSON(w, http.StatusCreated, res.info)
	}
	return writeJSON(w, http.StatusOK, res.info)
}

func (s *server) patchConfig(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	var body configMap
	if err := readJSON(r, &body); err != nil {
		if errors.Is(err, errNoBody) {
			return herder.BadRequest("Request body is required: the configuration keys to change as a JSON object (null removes a key)")
		}
		return err
	}
	info, err := get(s, r, func(ctx context.Context) (herder.ConnectorInfo, error) {
		return s.Herder.PatchConnectorConfig(ctx, nameOf(r), body)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, info)
}

func (s *server) connectorStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := get(s, r, func(ctx context.Context) (herder.ConnectorStateInfo, error) {
		return s.Herder.ConnectorStatus(ctx, nameOf(r))
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *server) tasks(w http.ResponseWriter, r *http.Request) error {
	tasks, err := get(s, r, func(ctx context.Context) ([]herder.TaskInfo, error) { return s.Herder.Tasks(ctx, nameOf(r)) })
	if err != nil {
		return err
	}
	if tasks == nil {
		tasks = []herder.TaskInfo{}
	}
	return writeJSON(w, http.StatusOK, tasks)
}

// taskID reads the {task} path value.
func taskID(r *http.Request) (herder.TaskID, error) {
	raw := r.PathValue("task")
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return herder.TaskID{}, herder.BadRequest("Invalid task id %q in the URL: expected a non-negative integer", raw)
	}
	return herder.TaskID{Connector: nameOf(r), Task: n}, nil
}

func (s *server) taskStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := taskID(r)
	if err != nil {
		return err
	}
	st, err := get(s, r, func(ctx context.Context) (herder.TaskState, error) { return s.Herder.TaskStatus(ctx, id) })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *server) restartTask(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	id, err := taskID(r)
	if err != nil {
		return err
	}
	if err := do(s, r, func(ctx context.Context) error { return s.Herder.RestartTask(ctx, id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// restartConnector follows KIP-745: without includeTasks and onlyFailed it
// is the legacy connector-only restart (204); otherwise 202 with the
// instances being restarted shown as RESTARTING.
func (s *server) restartConnector(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	includeTasks, err := boolParam(r, "includeTasks", false)
	if err != nil {
		return err
	}
	onlyFailed, err := boolParam(r, "onlyFailed", false)
	if err != nil {
		return err
	}
	st, err := get(s, r, func(ctx context.Context) (herder.ConnectorStateInfo, error) {
		return s.Herder.RestartConnector(ctx, nameOf(r), includeTasks, onlyFailed)
	})
	if err != nil {
		return err
	}
	if !includeTasks && !onlyFailed {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return writeJSON(w, http.StatusAccepted, st)
}

func (s *server) setTarget(w http.ResponseWriter, r *http.Request, target herder.TargetState, status int) error {
	if err := do(s, r, func(ctx context.Context) error { return s.Herder.SetTargetState(ctx, nameOf(r), target) }); err != nil {
		return err
	}
	w.WriteHeader(status)
	return nil
}

func (s *server) pause(w http.ResponseWriter, r *http.Request) error {
	return s.setTarget(w, r, herder.TargetPaused, http.StatusAccepted)
}

func (s *server) resume(w http.ResponseWriter, r *http.Request) error {
	return s.setTarget(w, r, herder.TargetStarted, http.StatusAccepted)
}

func (s *server) stop(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	return s.setTarget(w, r, herder.TargetStopped, http.StatusNoContent)
}

func (s *server) topics(w http.ResponseWriter, r *http.Request) error {
	if !s.TopicTracking {
		return &herder.Error{Code: http.StatusForbidden, Message: "Topic tracking is disabled."}
	}
	name := nameOf(r)
	topics, err := get(s, r, func(ctx context.Context) ([]string, error) { return s.Herder.ConnectorTopics(ctx, name) })
	if err != nil {
		return err
	}
	if topics == nil {
		topics = []string{}
	}
	return writeJSON(w, http.StatusOK, map[string]herder.ActiveTopics{name: {Topics: topics}})
}

func (s *server) resetTopics(w http.ResponseWriter, r *http.Request) error {
	if !s.TopicTracking {
		return &herder.Error{Code: http.StatusForbidden, Message: "Topic tracking is disabled."}
	}
	if !s.TopicTrackingReset {
		return &herder.Error{Code: http.StatusForbidden, Message: "Topic tracking reset is disabled."}
	}
	if err := do(s, r, func(ctx context.Context) error { return s.Herder.ResetConnectorTopics(ctx, nameOf(r)) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *server) offsets(w http.ResponseWriter, r *http.Request) error {
	offs, err := get(s, r, func(ctx context.Context) (herder.ConnectorOffsets, error) {
		return s.Herder.ConnectorOffsets(ctx, nameOf(r))
	})
	if err != nil {
		return err
	}
	if offs.Offsets == nil {
		offs.Offsets = []herder.PartitionOffset{}
	}
	return writeJSON(w, http.StatusOK, offs)
}

func (s *server) alterOffsets(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	var body herder.ConnectorOffsets
	if err := readJSON(r, &body); err != nil && !errors.Is(err, errNoBody) {
		return err
	}
	if len(body.Offsets) == 0 {
		return herder.BadRequest("Partitions / offsets need to be provided for an alter offsets request")
	}
	msg, err := get(s, r, func(ctx context.Context) (string, error) { return s.Herder.AlterConnectorOffsets(ctx, nameOf(r), body) })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, herder.Message{Message: msg})
}

func (s *server) resetOffsets(w http.ResponseWriter, r *http.Request) error {
	if err := checkForward(r); err != nil {
		return err
	}
	msg, err := get(s, r, func(ctx context.Context) (string, error) { return s.Herder.ResetConnectorOffsets(ctx, nameOf(r)) })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, herder.Message{Message: msg})
}

func (s *server) plugins(w http.ResponseWriter, r *http.Request) error {
	only, err := boolParam(r, "connectorsOnly", true)
	if err != nil {
		return err
	}
	list, err := get(s, r, func(ctx context.Context) ([]herder.PluginInfo, error) { return s.Herder.ConnectorPlugins(ctx, only) })
	if err != nil {
		return err
	}
	if list == nil {
		list = []herder.PluginInfo{}
	}
	return writeJSON(w, http.StatusOK, list)
}

func (s *server) pluginConfig(w http.ResponseWriter, r *http.Request) error {
	keys, err := get(s, r, func(ctx context.Context) ([]config.KeyInfo, error) {
		return s.Herder.PluginConfig(ctx, r.PathValue("plugin"), r.URL.Query().Get("version"))
	})
	if err != nil {
		return err
	}
	if keys == nil {
		keys = []config.KeyInfo{}
	}
	return writeJSON(w, http.StatusOK, keys)
}

// normalizedPluginName strips a trailing "Connector", as Kafka Connect's
// ConnectorPluginsResource does before comparing types.
func normalizedPluginName(name string) string {
	if s, ok := strings.CutSuffix(name, "Connector"); ok && s != "" {
		return s
	}
	return name
}

func (s *server) validate(w http.ResponseWriter, r *http.Request) error {
	var body configMap
	if err := readJSON(r, &body); err != nil {
		if errors.Is(err, errNoBody) {
			return herder.BadRequest("Request body is required: the connector configuration as a JSON object")
		}
		return err
	}
	cfg, nulls := body.split()
	pluginType := r.PathValue("pluginType")
	if c, ok := cfg["connector.class"]; ok && !strings.HasSuffix(normalizedPluginName(c), normalizedPluginName(pluginType)) {
		return herder.BadRequest("Included connector type %s does not match request type %s", c, pluginType)
	}
	infos, err := get(s, r, func(ctx context.Context) (herder.ConfigInfos, error) {
		return s.Herder.ValidateConnectorConfig(ctx, cfg)
	})
	if err != nil {
		return err
	}
	addNullErrors(&infos, nulls)
	return writeJSON(w, http.StatusOK, infos)
}

func (s *server) loggers(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, s.Loggers.All())
}

func (s *server) logger(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("logger")
	l, ok := s.Loggers.Get(name)
	if !ok {
		return herder.NotFound("Logger %s not found.", name)
	}
	return writeJSON(w, http.StatusOK, l)
}

// setLogger is PUT /admin/loggers/{logger}: scope worker (the default, and
// any unknown scope) sets this worker's level and answers the affected
// loggers; scope cluster asks the herder to set it on every worker (204).
func (s *server) setLogger(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Level *string `json:"level"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		return jsonError(err)
	}
	if body.Level == nil {
		return herder.BadRequest("Desired 'level' parameter was not specified in request.")
	}
	level, err := logging.ParseLevel(*body.Level)
	if err != nil {
		return herder.NotFound("invalid log level '%s'.", *body.Level)
	}
	name := r.PathValue("logger")
	scope := r.URL.Query().Get("scope")
	if strings.EqualFold(scope, "cluster") {
		if err := do(s, r, func(ctx context.Context) error { return s.Herder.SetClusterLoggerLevel(ctx, name, *body.Level) }); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if scope != "" && !strings.EqualFold(scope, "worker") {
		s.Log.Warn("unknown scope for logger level; using scope=worker", "scope", scope)
	}
	affected := s.Loggers.Set(name, level)
	if affected == nil {
		affected = []string{}
	}
	return writeJSON(w, http.StatusOK, affected)
}
