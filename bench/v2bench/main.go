// v2bench: a load generator for etcd's v2 keys API (HTTP/1.1 + form bodies),
// the v2 counterpart of shared/bench/etcdbench. Only net/http: no etcd client,
// so real etcd (--enable-v2) and tsetcd are measured with the same code.
//
// Model: --clients goroutines share --conns keep-alive HTTP connections
// round-robin (client i uses connection i%conns); each connection dials one
// endpoint, endpoints assigned round-robin. HTTP/1.1 carries one request at a
// time per connection, so in-flight requests are at most min(conns, clients).
//
// Every run prints one JSON line on stdout, with the same fields etcdbench
// prints (ops_per_s, lat_ms, bench_cpu_pct, server_cpu_pct,
// ops_per_server_cpu_s, host_*), and a short human summary on stderr.
//
// Subcommands:
//
//	v2-set         PUT /v2/keys/<prefix><n> value=<val-size bytes>
//	v2-get         GET /v2/keys/<key> (quorum=false: served from the local store)
//	v2-get-quorum  GET /v2/keys/<key>?quorum=true (goes through raft in etcd 3.4)
//
// Build (GOPATH mode, no modules, nothing outside the standard library):
//
//	GO111MODULE=off go build -o /tmp/v2bench/bin/v2bench ./bench/v2bench
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"math"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ---------------------------------------------------------------- flags

type common struct {
	fs                     *flag.FlagSet
	endpoints              string
	conns, clients, total  int
	warmup                 int
	rate                   float64
	label, serverPIDs      string
	dataDir                string
	dialTimeout, opTimeout time.Duration
	keyPrefix              string
	keySize, valSize       int
	eps                    []string
	pids                   []int
	httpConns              []*http.Client
}

func newCommon(name string, total int) *common {
	c := &common{fs: flag.NewFlagSet(name, flag.ExitOnError)}
	f := c.fs
	f.StringVar(&c.endpoints, "endpoints", "127.0.0.1:2379", "comma-separated client endpoints (host:port or http://host:port)")
	f.IntVar(&c.conns, "conns", 1, "number of keep-alive HTTP connections")
	f.IntVar(&c.clients, "clients", 1, "number of concurrent client goroutines (share conns round-robin)")
	f.IntVar(&c.total, "total", total, "total measured operations")
	f.IntVar(&c.warmup, "warmup", 0, "unmeasured operations run first (JIT warm-up for managed runtimes)")
	f.Float64Var(&c.rate, "rate", 0, "global op rate limit in ops/s (0 = closed loop)")
	f.StringVar(&c.label, "label", "", "free-form tag copied into the JSON line")
	f.StringVar(&c.serverPIDs, "server-pids", "", "comma-separated server PIDs to sample CPU and RSS/HWM from /proc")
	f.StringVar(&c.dataDir, "data-dir", "", "server data dir whose size (bytes) is reported after the run")
	f.DurationVar(&c.dialTimeout, "dial-timeout", 5*time.Second, "dial timeout")
	f.DurationVar(&c.opTimeout, "op-timeout", 10*time.Second, "per-operation timeout")
	f.StringVar(&c.keyPrefix, "key-prefix", "/bench/v2/", "prefix of generated keys (a v2 path)")
	f.IntVar(&c.keySize, "key-size", 8, "digits in generated keys (zero-padded decimal, after the prefix)")
	f.IntVar(&c.valSize, "val-size", 256, "value size in bytes (URL-safe letters, so form encoding costs nothing)")
	return c
}

func (c *common) parse(args []string) {
	c.fs.Parse(args)
	for _, e := range strings.Split(c.endpoints, ",") {
		if e = strings.TrimSpace(e); e != "" {
			if !strings.Contains(e, "://") {
				e = "http://" + e
			}
			c.eps = append(c.eps, strings.TrimRight(e, "/"))
		}
	}
	for _, p := range strings.Split(c.serverPIDs, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
			c.pids = append(c.pids, n)
		}
	}
	if c.clients < 1 || c.conns < 1 || len(c.eps) == 0 {
		die("conns and clients must be >= 1 and --endpoints non-empty")
	}
	if !strings.HasPrefix(c.keyPrefix, "/") {
		c.keyPrefix = "/" + c.keyPrefix
	}
	c.httpConns = make([]*http.Client, c.conns)
	for i := range c.httpConns {
		c.httpConns[i] = newConn(c.dialTimeout, c.opTimeout)
	}
}

func (c *common) params() map[string]interface{} {
	return map[string]interface{}{"conns": c.conns, "clients": c.clients, "total": c.total, "rate": c.rate,
		"warmup": c.warmup, "key_size": c.keySize, "val_size": c.valSize}
}

// endpoint of connection i (round-robin over --endpoints).
func (c *common) ep(conn int) string { return c.eps[conn%len(c.eps)] }

func (c *common) key(n int) string { return fmt.Sprintf("%s%0*d", c.keyPrefix, c.keySize, n) }

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "v2bench: "+format+"\n", a...)
	os.Exit(1)
}

// newConn is one keep-alive connection: a transport allowed a single TCP
// connection, so requests of the goroutines sharing it queue for it.
func newConn(dialTimeout, opTimeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxConnsPerHost:     1,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: opTimeout}
}

// ---------------------------------------------------------------- requests

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.status, strings.TrimSpace(e.body))
}

// do sends one request and reads the whole body (a connection is only reused
// once its body is drained). want lists the accepted status codes.
func do(ctx context.Context, cl *http.Client, method, u, form string, want ...int) ([]byte, error) {
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := ioutil.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	for _, s := range want {
		if resp.StatusCode == s {
			return b, nil
		}
	}
	return b, &httpError{resp.StatusCode, string(b)}
}

// ---------------------------------------------------------------- runner

type opFunc func(ctx context.Context, client, i int) error

// run executes total ops (indices 0..total-1) from c.clients goroutines,
// closed loop unless --rate is set.
func (c *common) run(total int, fn opFunc) (lats []time.Duration, errs int, elapsed time.Duration) {
	var next, nerr int64 = -1, 0
	per := make([][]time.Duration, c.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for ci := 0; ci < c.clients; ci++ {
		wg.Add(1)
		go func(ci int) {
			defer wg.Done()
			local := make([]time.Duration, 0, total/c.clients+1)
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= total {
					break
				}
				if c.rate > 0 {
					if d := time.Until(start.Add(time.Duration(float64(i) / c.rate * 1e9))); d > 0 {
						time.Sleep(d)
					}
				}
				ctx, cancel := context.WithTimeout(context.Background(), c.opTimeout)
				t0 := time.Now()
				err := fn(ctx, ci, i)
				d := time.Since(t0)
				cancel()
				if err != nil {
					if n := atomic.AddInt64(&nerr, 1); n <= 5 {
						fmt.Fprintf(os.Stderr, "  op %d error: %v\n", i, err)
					}
					continue
				}
				local = append(local, d)
			}
			per[ci] = local
		}(ci)
	}
	wg.Wait()
	elapsed = time.Since(start)
	for _, l := range per {
		lats = append(lats, l...)
	}
	return lats, int(nerr), elapsed
}

func (c *common) measure(bench string, params map[string]interface{}, fn opFunc) *Result {
	if c.warmup > 0 {
		c.run(c.warmup, fn)
	}
	s0 := snap(c.pids)
	lats, errs, el := c.run(c.total, fn)
	p := c.params()
	for k, v := range params {
		p[k] = v
	}
	r := &Result{Bench: bench, Label: c.label, Endpoints: c.eps, Params: p, s0: s0, dataDir: c.dataDir}
	r.fill(lats, errs, el)
	return r
}

// ---------------------------------------------------------------- workloads

// letters returns n URL-safe bytes, so `value=<v>` needs no percent-encoding.
func letters(n int) string {
	const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[rand.Intn(len(abc))]
	}
	return string(b)
}

func cmdSet(args []string) {
	c := newCommon("v2-set", 10000)
	space := c.fs.Int("key-space-size", 0, "distinct keys written (0 = total: every op writes a new key)")
	seq := c.fs.Bool("sequential-keys", false, "write keys in order instead of uniformly at random")
	c.parse(args)
	if *space <= 0 {
		*space = c.total
	}
	form := "value=" + letters(c.valSize)
	keyIdx := func(i int) int {
		if *seq {
			return i % *space
		}
		return rand.Intn(*space)
	}
	fn := func(ctx context.Context, ci, i int) error {
		conn := ci % c.conns
		_, err := do(ctx, c.httpConns[conn], http.MethodPut, c.ep(conn)+"/v2/keys"+c.key(keyIdx(i)), form, http.StatusOK, http.StatusCreated)
		return err
	}
	r := c.measure("v2-set", map[string]interface{}{"key_space": *space, "sequential": *seq}, fn)
	r.emit()
}

func cmdGet(args []string, quorumDefault bool) {
	name := "v2-get"
	if quorumDefault {
		name = "v2-get-quorum"
	}
	c := newCommon(name, 10000)
	key := c.fs.String("key", "", "key to read (default: first generated key)")
	quorum := c.fs.Bool("quorum", quorumDefault, "?quorum=true: a linearizable read through raft")
	prefill := c.fs.Int("prefill", 1, "before measuring, set this many generated keys (key-prefix/key-size)")
	c.parse(args)
	if *key == "" {
		*key = c.key(0)
	}
	val := letters(c.valSize)
	if *prefill > 0 {
		_, errs, el := c.run(*prefill, func(ctx context.Context, ci, i int) error {
			conn := ci % c.conns
			_, err := do(ctx, c.httpConns[conn], http.MethodPut, c.ep(conn)+"/v2/keys"+c.key(i), "value="+val, http.StatusOK, http.StatusCreated)
			return err
		})
		fmt.Fprintf(os.Stderr, "  prefilled %d keys in %.2fs (%d errors)\n", *prefill, el.Seconds(), errs)
		if errs > 0 {
			die("prefill failed")
		}
	}
	q := ""
	if *quorum {
		q = "?quorum=true"
	}
	// a prefilled key must come back with its value: a server that answers 200
	// with the wrong body is counted as an error, not as throughput
	var expect []byte
	if *prefill > 0 && strings.HasPrefix(*key, c.keyPrefix) {
		if n, err := strconv.Atoi(strings.TrimPrefix(*key, c.keyPrefix)); err == nil && n < *prefill {
			expect = []byte(`"value":"` + val + `"`)
		}
	}
	path := "/v2/keys" + (&url.URL{Path: *key}).EscapedPath() + q
	fn := func(ctx context.Context, ci, i int) error {
		conn := ci % c.conns
		b, err := do(ctx, c.httpConns[conn], http.MethodGet, c.ep(conn)+path, "", http.StatusOK)
		if err == nil && expect != nil && !bytes.Contains(b, expect) {
			return fmt.Errorf("unexpected body: %.200s", b)
		}
		return err
	}
	r := c.measure(name, map[string]interface{}{"key": *key, "quorum": *quorum, "prefill": *prefill}, fn)
	r.emit()
}

// ---------------------------------------------------------------- results

type Lat struct {
	Avg  float64 `json:"avg"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

type Proc struct {
	PID    int     `json:"pid"`
	CPUPct float64 `json:"cpu_pct"`
	RSSKB  int64   `json:"rss_kb"`
	HWMKB  int64   `json:"hwm_kb"`
	AnonKB int64   `json:"anon_kb"`
	FileKB int64   `json:"file_kb"`
}

type Result struct {
	Bench     string                 `json:"bench"`
	Label     string                 `json:"label,omitempty"`
	Time      string                 `json:"time"`
	Endpoints []string               `json:"endpoints,omitempty"`
	Params    map[string]interface{} `json:"params"`
	Ops       int                    `json:"ops"`
	Errors    int                    `json:"errors"`
	DurationS float64                `json:"duration_s"`
	OpsPerS   float64                `json:"ops_per_s"`
	LatMs     *Lat                   `json:"lat_ms,omitempty"`
	BenchCPU  float64                `json:"bench_cpu_pct"`
	Server    []Proc                 `json:"server,omitempty"`
	ServerCPU float64                `json:"server_cpu_pct,omitempty"`
	OpsPerCPU float64                `json:"ops_per_server_cpu_s,omitempty"`
	HostBusy  float64                `json:"host_busy_pct"`
	HostSteal float64                `json:"host_steal_pct"`
	HostOther float64                `json:"host_other_pct"`
	Cores     int                    `json:"host_cores"`
	DataBytes int64                  `json:"data_dir_bytes,omitempty"`
	DataApp   int64                  `json:"data_dir_apparent_bytes,omitempty"`
	s0        *snapshot
	dataDir   string
}

func latStats(l []time.Duration) *Lat {
	if len(l) == 0 {
		return &Lat{}
	}
	sort.Slice(l, func(a, b int) bool { return l[a] < l[b] })
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
	pct := func(p float64) float64 { return ms(l[int(math.Ceil(p*float64(len(l))))-1]) }
	var sum time.Duration
	for _, d := range l {
		sum += d
	}
	return &Lat{Avg: ms(sum / time.Duration(len(l))), P50: pct(.5), P90: pct(.9), P99: pct(.99), P999: pct(.999), Max: ms(l[len(l)-1])}
}

func (r *Result) fill(lats []time.Duration, errs int, el time.Duration) {
	r.Ops, r.Errors, r.DurationS = len(lats), errs, round(el.Seconds(), 3)
	r.OpsPerS = round(float64(len(lats))/el.Seconds(), 1)
	r.LatMs = latStats(lats)
}

func (r *Result) emit() {
	s1 := snap(nil)
	wall := s1.t.Sub(r.s0.t).Seconds()
	for _, pid := range r.s0.pidOrder {
		p := Proc{PID: pid}
		if cpu1, ok := procCPU(pid); ok {
			p.CPUPct = round(100*(cpu1-r.s0.pidCPU[pid])/wall, 1)
		}
		m := procMem(pid)
		p.RSSKB, p.HWMKB, p.AnonKB, p.FileKB = m["VmRSS"], m["VmHWM"], m["RssAnon"], m["RssFile"]
		r.Server = append(r.Server, p)
		r.ServerCPU = round(r.ServerCPU+p.CPUPct, 1)
	}
	if r.ServerCPU > 0 {
		r.OpsPerCPU = round(r.OpsPerS/(r.ServerCPU/100), 0)
	}
	r.BenchCPU = round(100*(s1.self-r.s0.self)/wall, 1)
	if dt := s1.host[0] - r.s0.host[0]; dt > 0 {
		r.HostBusy = round(100*(1-(s1.host[1]-r.s0.host[1])/dt), 1)
		r.HostSteal = round(100*(s1.host[2]-r.s0.host[2])/dt, 1)
	}
	r.Cores = s1.cores
	r.HostOther = round(math.Max(0, r.HostBusy*float64(r.Cores)-r.BenchCPU-r.ServerCPU), 1)
	if r.dataDir != "" {
		r.DataBytes, r.DataApp = dirSize(r.dataDir)
	}
	r.Time = time.Now().UTC().Format(time.RFC3339)
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	os.Stdout.Sync()

	fmt.Fprintf(os.Stderr, "%-15s %s ops=%d err=%d %.2fs -> %.0f ops/s\n", r.Bench, r.Label, r.Ops, r.Errors, r.DurationS, r.OpsPerS)
	if l := r.LatMs; l != nil {
		fmt.Fprintf(os.Stderr, "  latency ms: avg %.3f p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f\n", l.Avg, l.P50, l.P90, l.P99, l.P999, l.Max)
	}
	fmt.Fprintf(os.Stderr, "  cpu: bench %.0f%% of a core", r.BenchCPU)
	for _, p := range r.Server {
		fmt.Fprintf(os.Stderr, "; server[%d] %.0f%% rss %.1fMiB hwm %.1fMiB", p.PID, p.CPUPct, float64(p.RSSKB)/1024, float64(p.HWMKB)/1024)
	}
	fmt.Fprintf(os.Stderr, "; host busy %.0f%% of %d cores (others %.0f%% of a core)\n", r.HostBusy, r.Cores, r.HostOther)
}

func round(x float64, d int) float64 { p := math.Pow(10, float64(d)); return math.Round(x*p) / p }

// ---------------------------------------------------------------- /proc sampling

type snapshot struct {
	t        time.Time
	self     float64
	pidCPU   map[int]float64
	pidOrder []int
	host     [3]float64 // total, idle+iowait, steal (jiffies, all cores)
	cores    int
}

func snap(pids []int) *snapshot {
	s := &snapshot{t: time.Now(), pidCPU: map[int]float64{}}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	s.self = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	for _, p := range pids {
		if v, ok := procCPU(p); ok {
			s.pidCPU[p] = v
			s.pidOrder = append(s.pidOrder, p)
		} else {
			fmt.Fprintf(os.Stderr, "  warning: cannot read /proc/%d/stat\n", p)
		}
	}
	if b, err := ioutil.ReadFile("/proc/stat"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 8 && f[0] == "cpu" {
				for i := 1; i <= 8; i++ {
					v, _ := strconv.ParseFloat(f[i], 64)
					s.host[0] += v
					if i == 4 || i == 5 {
						s.host[1] += v
					}
					if i == 8 {
						s.host[2] += v
					}
				}
			} else if len(f) > 0 && strings.HasPrefix(f[0], "cpu") {
				s.cores++
			}
		}
	}
	return s
}

func procCPU(pid int) (float64, bool) {
	b, err := ioutil.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64) // utime
	st, _ := strconv.ParseFloat(f[12], 64) // stime
	return (ut + st) / 100, true           // CLK_TCK = 100
}

func procMem(pid int) map[string]int64 {
	m := map[string]int64{}
	b, _ := ioutil.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.HasSuffix(f[0], ":") {
			m[strings.TrimSuffix(f[0], ":")], _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return m
}

func dirSize(dir string) (alloc, apparent int64) {
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			apparent += fi.Size()
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				alloc += st.Blocks * 512
			}
		}
		return nil
	})
	return
}

// ---------------------------------------------------------------- main

func main() {
	rand.Seed(time.Now().UnixNano())
	cmds := map[string]func([]string){
		"v2-set":        cmdSet,
		"v2-get":        func(a []string) { cmdGet(a, false) },
		"v2-get-quorum": func(a []string) { cmdGet(a, true) },
	}
	if len(os.Args) < 2 || cmds[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: v2bench {v2-set|v2-get|v2-get-quorum} [flags]   (-h per command)")
		os.Exit(2)
	}
	cmds[os.Args[1]](os.Args[2:])
}
