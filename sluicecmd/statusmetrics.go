package sluicecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluicehq/sluice/runtime/herder"
)

// The series sluice status reads from each worker's /metrics (the names
// internal/promexport gives them).
const (
	seriesRecordsLag   = "kafka_consumer_consumer_fetch_manager_metrics_records_lag"
	seriesLagMax       = "kafka_connect_sink_task_metrics_sink_record_lag_max"
	seriesSourceWrites = "kafka_connect_source_task_metrics_source_record_write_total"
	seriesSinkSends    = "kafka_connect_sink_task_metrics_sink_record_send_total"
	seriesRecordErrors = "kafka_connect_task_error_metrics_total_record_errors"
)

// scrapeTimeout bounds one worker's /metrics scrape: a worker that does not
// answer in time shows "?" rather than holding up the screen.
const scrapeTimeout = 3 * time.Second

// maxMetricsBody caps the /metrics answer read from a worker.
const maxMetricsBody = 32 << 20

// maxScrapes is how many workers are scraped at once, and scrapePhase
// bounds the scrapes of the workers other than the answering one: a large
// cluster of silent workers shows "?" rather than holding up the screen.
const (
	maxScrapes  = 16
	scrapePhase = 2 * scrapeTimeout
)

// taskFigures are one task's figures from its worker's /metrics, as sluice
// status shows them. A nil figure is unknown, or does not apply (lag of a
// source task).
type taskFigures struct {
	Task int `json:"task"`
	// Lag is the records of the task's partitions it has not read yet,
	// summed over the partitions (a sink's consumer records-lag).
	Lag *int64 `json:"lag,omitempty"`
	// LagMax is the most records it is behind in any one partition
	// (sink-record-lag-max).
	LagMax *int64 `json:"lag_max,omitempty"`
	// Records are the records moved: a source's written to Kafka
	// (source-record-write-total), a sink's handed to the connector
	// (sink-record-send-total).
	Records *int64 `json:"records,omitempty"`
	// Errors are the records that failed (total-record-errors).
	Errors *int64 `json:"errors,omitempty"`
	// Unavailable says why the figures are unknown: the task's worker
	// could not be scraped.
	Unavailable string `json:"unavailable,omitempty"`
}

// taskKey names a task in a worker's metrics.
type taskKey struct {
	connector string
	task      int
}

// scraped are one worker's figures by task, or why there are none.
type scraped struct {
	tasks map[taskKey]*taskFigures
	err   error
}

// scraper reads workers' /metrics with the command's HTTP client and
// credentials.
type scraper struct {
	http   cliHTTP
	scheme string // the scheme of --url, used for the other workers too
	// timeout bounds one scrape, phase those of the other workers
	// (scrapeTimeout and scrapePhase unless a test says otherwise).
	timeout, phase time.Duration
	// credentialsToOthers sends the basic credentials to the other
	// workers too (--credentials-to-workers). Their addresses come from
	// the statuses, which anyone able to write the status topic can
	// forge, so by default only --url's worker gets them. (A client
	// certificate goes to every worker: proving it discloses no secret.)
	credentialsToOthers bool
	// withheld says this scrape of another worker goes without the
	// credentials the command has.
	withheld bool
}

// scrape reads and parses the /metrics answer at u.
func (s scraper) scrape(ctx context.Context, u string) scraped {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return scraped{err: err}
	}
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	if s.http.basic {
		req.SetBasicAuth(s.http.user, s.http.password)
	}
	resp, err := s.http.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return scraped{err: fmt.Errorf("no answer within %v", s.timeout)}
		}
		return scraped{err: fmt.Errorf("not reachable: %w", err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return scraped{err: errors.New("serves no /metrics (HTTP 404)")}
	case resp.StatusCode == http.StatusUnauthorized && s.withheld:
		return scraped{err: errors.New("/metrics wants credentials (HTTP 401; --credentials-to-workers sends --user's to the workers the statuses name)")}
	case resp.StatusCode == http.StatusUnauthorized:
		return scraped{err: errors.New("/metrics wants credentials (HTTP 401; give them with --user)")}
	case resp.StatusCode != http.StatusOK:
		return scraped{err: fmt.Errorf("/metrics answered HTTP %d", resp.StatusCode)}
	}
	body := io.LimitReader(resp.Body, maxMetricsBody+1)
	lim := &countingReader{r: body}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(lim)
	if lim.n > maxMetricsBody {
		return scraped{err: fmt.Errorf("/metrics answer is larger than %d MiB", maxMetricsBody>>20)}
	}
	if err != nil {
		return scraped{err: fmt.Errorf("/metrics is not Prometheus text: %w", err)}
	}
	return scraped{tasks: figuresOf(families)}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// figuresOf gathers the figures of each task (series labelled connector and
// task) from parsed metric families.
func figuresOf(families map[string]*dto.MetricFamily) map[taskKey]*taskFigures {
	tasks := map[taskKey]*taskFigures{}
	each := func(series string, f func(t *taskFigures, v int64)) {
		fam := families[series]
		if fam == nil {
			return
		}
		for _, m := range fam.GetMetric() {
			var conn, task string
			hasConn := false
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "connector":
					conn, hasConn = l.GetValue(), true
				case "task":
					task = l.GetValue()
				}
			}
			id, err := strconv.Atoi(task)
			if !hasConn || err != nil {
				continue
			}
			var v float64
			switch {
			case m.GetGauge() != nil:
				v = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				v = m.GetCounter().GetValue()
			case m.GetUntyped() != nil:
				v = m.GetUntyped().GetValue()
			default:
				continue
			}
			k := taskKey{conn, id}
			t := tasks[k]
			if t == nil {
				t = &taskFigures{Task: id}
				tasks[k] = t
			}
			f(t, int64(v))
		}
	}
	add := func(p **int64, v int64) {
		if *p == nil {
			*p = new(int64)
		}
		**p += v
	}
	each(seriesRecordsLag, func(t *taskFigures, v int64) { add(&t.Lag, v) })
	each(seriesLagMax, func(t *taskFigures, v int64) { t.LagMax = &v })
	each(seriesSourceWrites, func(t *taskFigures, v int64) { add(&t.Records, v) })
	each(seriesSinkSends, func(t *taskFigures, v int64) { add(&t.Records, v) })
	each(seriesRecordErrors, func(t *taskFigures, v int64) { t.Errors = &v })
	for _, t := range tasks {
		// A sink consuming no partition yet has a lag-max but no
		// per-partition lag: its lag is 0 too.
		if t.Lag == nil && t.LagMax != nil {
			t.Lag = new(int64)
		}
	}
	return tasks
}

// workerMetricsURL is the /metrics URL of the worker whose worker_id (the
// host:port of its REST listener) is id, reached with scheme.
func workerMetricsURL(scheme, id string) (string, error) {
	host, port, err := net.SplitHostPort(id)
	if err != nil || host == "" || strings.ContainsAny(id, "/?#@ \t\r\n") {
		return "", fmt.Errorf("its worker_id %q is not host:port", id)
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return "", fmt.Errorf("its worker_id %q is not host:port", id)
	}
	return (&url.URL{Scheme: scheme, Host: id, Path: "/metrics"}).String(), nil
}

// taskMetrics gathers each task's figures: first from the /metrics of the
// worker answering (baseURL), then, for the tasks it does not run, from
// the worker each status names, all at once, each within scrapeTimeout.
// It returns the figures by connector and, by worker, why one could not be
// scraped; it never fails.
func (s scraper) taskMetrics(ctx context.Context, baseURL string, conns map[string]herder.ConnectorStateInfo) (map[string][]taskFigures, map[string]string) {
	figures := map[string][]taskFigures{}
	unavailable := map[string]string{}
	if len(conns) == 0 {
		return figures, unavailable
	}
	base := s.scrape(ctx, strings.TrimSuffix(baseURL, "/")+"/metrics")
	// The workers to scrape: those running a task the answering worker's
	// metrics do not show.
	others := map[string]scraped{}
	var ids []string
	for name, st := range conns {
		for _, t := range st.Tasks {
			if _, seen := others[t.WorkerID]; !seen && base.tasks[taskKey{name, t.ID}] == nil && t.WorkerID != "" {
				others[t.WorkerID] = scraped{}
				ids = append(ids, t.WorkerID)
			}
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxScrapes)
	phase, cancel := context.WithTimeout(ctx, s.phase)
	defer cancel()
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got scraped
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				if u, err := workerMetricsURL(s.scheme, id); err != nil {
					got.err = err
				} else {
					other := s
					if !s.credentialsToOthers && other.http.basic {
						other.http.basic, other.http.password = false, ""
						other.withheld = true
					}
					got = other.scrape(phase, u)
				}
			case <-phase.Done():
			}
			if got.tasks == nil && got.err == nil || got.err != nil && phase.Err() != nil {
				got.err = fmt.Errorf("gave no answer in the %v all the workers' scrapes may take", s.phase)
			}
			mu.Lock()
			others[id] = got
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, st := range conns {
		list := make([]taskFigures, 0, len(st.Tasks))
		for _, t := range st.Tasks {
			k := taskKey{name, t.ID}
			f := taskFigures{Task: t.ID}
			// A task no worker runs (no worker_id) has no figures.
			switch w, ok := others[t.WorkerID]; {
			case base.tasks[k] != nil:
				f = *base.tasks[k]
			case ok && w.err != nil:
				f.Unavailable = "worker " + t.WorkerID + " " + w.err.Error()
				unavailable[t.WorkerID] = w.err.Error()
			case ok && w.tasks[k] != nil:
				f = *w.tasks[k]
			}
			if st.Type == herder.SourceType {
				f.Lag, f.LagMax = nil, nil
			}
			list = append(list, f)
		}
		figures[name] = list
	}
	return figures, unavailable
}
