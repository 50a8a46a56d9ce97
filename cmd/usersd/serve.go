package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"usersd/internal/console"
	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/drf"
	"usersd/internal/face/e621"
	"usersd/internal/face/media"
	"usersd/internal/face/native"
	"usersd/internal/face/pronouns"
	"usersd/internal/face/reviewboard"
	"usersd/internal/httpx"
	"usersd/internal/logbuf"
	"usersd/internal/metrics"
	"usersd/internal/ratelimit/redisrate"
	"usersd/internal/store/sqlstore"
	"usersd/internal/webhook"
)

// faces are the compatibility faces and their default prefixes.
var faces = map[string]string{
	"danbooru":    "/danbooru",
	"e621":        "/e621",
	"pronouns":    "/pronouns",
	"reviewboard": "/reviewboard",
	"drf":         "/drf",
	// Stored images at the URL recipe pronouns.cc clients build
	// (internal/face/media); not a face, but mounted like one.
	"media": "/media",
	// The admin web console (internal/console), for staff in a browser.
	"admin": "/admin",
}

// faceOptions are the flags of individual faces.
type faceOptions struct {
	drf      drf.Options
	e621     e621.Options
	pronouns pronouns.Options
	rb       reviewboard.Options
	console  console.Options
}

// buildFaces returns the faces this binary serves; a face not listed yet
// is simply absent, though its mount flag is still checked.
func buildFaces(svc *core.Service, log *slog.Logger, opts faceOptions) (map[string]http.Handler, error) {
	pr, err := pronouns.NewHandler(svc, log, opts.pronouns)
	if err != nil {
		return nil, err
	}
	return map[string]http.Handler{
		"danbooru": danbooru.NewHandler(svc, log),
		"e621":     e621.NewHandler(svc, log, opts.e621),
		"pronouns": pr,
		"drf":      drf.NewHandler(svc, log, opts.drf),
		"media":    media.NewHandler(svc, log),
		"admin":    console.NewHandler(svc, log, opts.console),

		"reviewboard": reviewboard.NewHandler(svc, log, opts.rb),
	}, nil
}

// nativePrefix is where the native API lives.
const nativePrefix = "/v1"

// mountList collects repeated --mount FACE=PREFIX flags; the environment
// form is comma-separated.
type mountList []string

func (m *mountList) String() string { return strings.Join(*m, ",") }
func (m *mountList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*m = append(*m, part)
		}
	}
	return nil
}

// resolveMounts applies --mount entries to the defaults and checks that no
// two faces claim one prefix. It returns face → prefix for enabled faces.
func resolveMounts(entries []string) (map[string]string, error) {
	out := map[string]string{}
	for f, p := range faces {
		out[f] = p
	}
	for _, e := range entries {
		face, prefix, ok := strings.Cut(e, "=")
		face = strings.ToLower(strings.TrimSpace(face))
		if !ok {
			return nil, fmt.Errorf("--mount %q: want FACE=PREFIX or FACE=off", e)
		}
		if _, known := faces[face]; !known {
			return nil, fmt.Errorf("--mount %q: unknown face (known: danbooru, e621, pronouns, reviewboard, drf, media, admin)", e)
		}
		if prefix == "off" {
			delete(out, face)
			continue
		}
		if !strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, " {}?#") {
			return nil, fmt.Errorf("--mount %q: prefix must be a path starting with /", e)
		}
		if prefix != "/" {
			prefix = strings.TrimRight(prefix, "/")
		}
		out[face] = prefix
	}
	owner := map[string]string{nativePrefix: "native"}
	names := make([]string, 0, len(out))
	for f := range out {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		p := out[f]
		if other, taken := owner[p]; taken {
			return nil, fmt.Errorf("--mount: faces %s and %s both claim %s", other, f, p)
		}
		owner[p] = f
	}
	return out, nil
}

// checkServeFlags refuses values serve would otherwise take silently or
// fail on only after opening the database: a zero or negative limit would
// lock every account out (or, below zero, never), and a malformed address
// fails at listen time.
func checkServeFlags(addr string, accountLimit, addrLimit int) error {
	if _, port, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080 or :8080 (port 0 picks a free one)", addr)
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("--addr %q: port must be 0..65535", addr)
	}
	for _, l := range []struct {
		flag string
		n    int
	}{{"--login-account-limit", accountLimit}, {"--login-addr-limit", addrLimit}} {
		if l.n < 1 {
			return fmt.Errorf("%s %d: must be at least 1 (the failed logins allowed per 15 minutes before a lock-out)", l.flag, l.n)
		}
	}
	return nil
}

// checkMetricsPath refuses a metrics path that is not a plain path, or
// that a mounted face or the service's own routes already answer.
func checkMetricsPath(path string, mounted map[string]string) error {
	if path == "off" {
		return nil
	}
	if !strings.HasPrefix(path, "/") || path == "/" || strings.HasSuffix(path, "/") || strings.ContainsAny(path, " {}?#") {
		return fmt.Errorf("--metrics %q: want a path such as /metrics, or off", path)
	}
	taken := map[string]string{nativePrefix: "native", "/healthz": "system", "/readyz": "system"}
	for f, p := range mounted {
		taken[p] = f
	}
	for p, owner := range taken {
		if p != "/" && (path == p || strings.HasPrefix(path, p+"/")) {
			return fmt.Errorf("--metrics %q: %s already answers %s", path, owner, p)
		}
	}
	return nil
}

// setMemoryLimit sets the Go heap's soft limit: mib when positive, none
// when 0, and when -1 (unless GOMEMLIMIT is set) what a node holds by
// design: 64 MiB for requests, the user cache twice over (with the heap's
// headroom) and every password hash that may run at once. Without a limit
// the heap grows to twice its live size before a collection, and each
// argon2id hash leaves 19 MiB behind: at 1M users logins took the process
// to 189 MiB, with the limit to 159, at the same rate.
func setMemoryLimit(mib int, userCache, hashes int64, getenv func(string) string, log *slog.Logger) {
	var limit int64
	switch {
	case mib > 0:
		limit = int64(mib) << 20
	case mib == 0:
		limit = math.MaxInt64
	case getenv("GOMEMLIMIT") != "":
		return
	default:
		limit = 64<<20 + 2*userCache + hashes
	}
	debug.SetMemoryLimit(limit)
	if limit != math.MaxInt64 {
		log.Info("memory limit", "mib", limit>>20)
	}
}

// addPools exports the store's connection pools (SQLite has a reader pool
// and a single writer, PostgreSQL one pool for both) and its user cache.
func addPools(m *metrics.Metrics, db *sqlstore.DB) error {
	var err error
	if db.Users != nil {
		err = m.AddCache("user", db.Users)
	}
	if db.R == db.W {
		return errors.Join(err, m.AddDB("readwrite", db.R))
	}
	return errors.Join(err, m.AddDB("read", db.R), m.AddDB("write", db.W))
}

// mount places h at prefix, with the prefix stripped and recorded for
// the face's links (httpx.Mount); "/" passes all.
func mount(mux *http.ServeMux, prefix string, h http.Handler) {
	if prefix == "/" {
		mux.Handle("/", h)
		return
	}
	mux.Handle(prefix+"/", httpx.Mount(prefix, h))
}

// dataFlags checks --signup-addr-limit and --max-user-bytes and builds the
// sign-up limit. A user bound below 16 KiB would refuse users of empty
// profiles with long settings; above 16 MiB one page of users could take
// gigabytes.
func dataFlags(signups, maxUserBytes int) (core.Limit, error) {
	if signups < 1 {
		return core.Limit{}, fmt.Errorf("--signup-addr-limit %d: must be at least 1 (the sign-ups allowed per address per hour; --signup=false closes sign-up)", signups)
	}
	l := core.SignupAddrLimit(signups)
	if err := l.Check(); err != nil {
		return core.Limit{}, fmt.Errorf("--signup-addr-limit %d is too large: %w", signups, err)
	}
	if maxUserBytes < 16<<10 || maxUserBytes > 16<<20 {
		return core.Limit{}, fmt.Errorf("--max-user-bytes %d: must be from 16384 to 16777216", maxUserBytes)
	}
	return l, nil
}

// loginLimit builds the limit of a --login-*-limit flag that
// checkServeFlags has found positive, refusing counts so large that the
// bucket would not refill in whole microseconds.
func loginLimit(flagName, name string, n int) (core.Limit, error) {
	l := core.LoginLimit(name, n)
	if err := l.Check(); err != nil {
		return core.Limit{}, fmt.Errorf("--%s %d is too large: %w", flagName, n, err)
	}
	return l, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Run the HTTP service: the native API at /v1, the faces at their mounts,\nthe admin console at /admin, /healthz, /readyz and /metrics.")
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	var mounts mountList
	fs.Var(&mounts, "mount", "FACE=PREFIX or FACE=off; repeatable")
	signup := fs.Bool("signup", true, "allow anonymous sign-up")
	accountLimit := fs.Int("login-account-limit", 5, "failed logins per account per 15 minutes before lock-out")
	addrLimit := fs.Int("login-addr-limit", 50, "failed logins per client address per 15 minutes before lock-out")
	signupLimit := fs.Int("signup-addr-limit", core.DefaultSignupsPerAddr, "anonymous sign-ups per client address per hour")
	maxUserBytes := fs.Int("max-user-bytes", core.DefaultMaxUserBytes, "largest serialized user in bytes (16384..16777216)")
	memLimit := fs.Int("memory-limit", -1, "soft limit of the Go heap in MiB, as GOMEMLIMIT (0: none); by default 64 + twice --user-cache + the memory of the password hashes that may run at once, unless GOMEMLIMIT is set")
	userCache := fs.Int("user-cache", sqlstore.DefaultUserCache>>20, "MiB of users kept decoded for the pages read most, each checked against its row's version (0: none)")
	maxImport := fs.Int64("max-import-bytes", native.DefaultMaxImportBytes, "largest body of the native API's import (POST /v1/users/import), streamed as it arrives; at least 1048576")
	var tf tokenFlags
	tf.register(fs)
	redisURL := fs.String("redis", "", "Redis URL (redis://host:6379/0) holding rate limits for every node; empty keeps them in-process")
	redisPrefix := fs.String("redis-prefix", redisrate.DefaultPrefix, "prefix of the Redis keys; nodes sharing limits must agree")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logFlush := fs.Duration("log-flush", 100*time.Millisecond, "how long a log line may wait to be written with the lines after it (0: each at once); a crash loses at most this much of the log")
	metricsPath := fs.String("metrics", "/metrics", "path of the Prometheus metrics, or off")
	e621Levels := fs.String("e621-levels", "classic", "e621ng level numbers: classic (2019 to May 2026) or 2026")
	drfAllUsers := fs.Bool("drf-all-users", false, "let every signed-in user read users on the DRF face; by default staff alone do (403 for others)")
	drfRates := fs.String("drf-rates", "", "DRF face throttle rates, comma-separated NAME=N/period in DRF's notation (period s, m, h or d; NAME user: per signed-in user, anon: per client address, or * for both); empty keeps user=10000/hour,anon=60/minute")
	pronounsRates := fs.String("pronouns-rates", "", "pronouns.cc rate limits per minute, comma-separated BUCKET=N (BUCKET as in its docs: \"PATCH /users/@me\", \"GET /users/*\", \"/\"; or * for all); empty keeps upstream's")
	rbRates := fs.String("reviewboard-rates", "", "Review Board API rate limits per hour, comma-separated anon=N (per client address), user=N (per account), or *=N; empty keeps upstream's 1000 and 10000")
	rbRequireLogin := fs.Bool("reviewboard-require-login", false, "Review Board's \"require login\": anonymous API reads get 401 code 103")
	adminIdle := fs.Duration("admin-session-idle", console.DefaultIdle, "admin console sessions end after this long unused (at least 1m)")
	adminMaxAge := fs.Duration("admin-session-max-age", console.DefaultMaxAge, "admin console sessions end this long after sign-in, however busy (at least 1s)")
	corsOrigins := fs.String("cors-origins", "", "comma-separated origins (https://app.example.com, or *) whose browsers may call the native API; empty allows none")
	renameCooldown := fs.Duration("rename-cooldown", core.DefaultRenameCooldown, "time users wait between renames of their own account (0: none); admins rename freely")
	hiddenSearch := fs.Bool("upstream-hidden-search", true, "let Danbooru and e621 callers search the hidden fields their systems let them search (updated_at, favorite_count; e621 admins: email, last IP)")
	queryTimeout := fs.Duration("query-timeout", core.DefaultQueryTimeout, "database deadline of one list request, page and total (0: none)")
	queryPatterns := fs.Int("query-max-patterns", core.DefaultMaxPatterns, "substring, wildcard and regex conditions allowed in one list request (0: no cap)")
	queryConcurrency := fs.Int("query-concurrency", runtime.GOMAXPROCS(0), "costly list requests running at once (0: no cap); the default is GOMAXPROCS")
	queryWait := fs.Duration("query-queue-wait", core.DefaultQueueWait, "how long a costly list request waits for its turn before a 503")
	maxFlags := fs.Int("max-flags", core.DefaultMaxFlags, "pride flags one user may own (pronouns.cc code 2003 past it)")
	maxMembers := fs.Int("max-members", core.DefaultMaxMembers, "members one user may own (pronouns.cc code 3002 past it)")
	rerollCooldown := fs.Duration("reroll-cooldown", core.DefaultRerollCooldown, "time between short-id rerolls of one user and their members (0: none)")
	sweepEvery := fs.Duration("sweep-interval", time.Hour, "how often unreferenced images, expired sessions and audit entries past --audit-retention are deleted (0: never)")
	auditRetention := fs.Duration("audit-retention", 0, "how long audit log entries are kept, e.g. 8760h (0: forever)")
	hookPoll := fs.Duration("webhook-poll", webhook.DefaultPoll, "how often this node looks for webhook deliveries due (0: it sends none)")
	hookTimeout := fs.Duration("webhook-timeout", webhook.DefaultTimeout, "how long one webhook delivery attempt may take")
	hookAttempts := fs.Int("webhook-attempts", webhook.DefaultAttempts, "attempts at a webhook delivery before it is dead")
	hookBackoff := fs.Duration("webhook-backoff", webhook.DefaultBackoff, "the wait after a delivery's first failure; it doubles with each further one, up to 6h")
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	if err := checkServeFlags(*addr, *accountLimit, *addrLimit); err != nil {
		return err
	}
	if *renameCooldown < 0 {
		return fmt.Errorf("--rename-cooldown %s: must be 0 (no limit) or more", *renameCooldown)
	}
	if *rerollCooldown < 0 || *sweepEvery < 0 || *auditRetention < 0 {
		return fmt.Errorf("--reroll-cooldown, --sweep-interval and --audit-retention must be 0 or more")
	}
	if *hookPoll < 0 || *hookTimeout <= 0 || *hookAttempts < 1 || *hookBackoff <= 0 {
		return fmt.Errorf("--webhook-poll must be 0 or more, --webhook-timeout and --webhook-backoff more than 0, --webhook-attempts at least 1")
	}
	if *maxFlags < 1 || *maxMembers < 1 {
		return fmt.Errorf("--max-flags %d, --max-members %d: each must be at least 1", *maxFlags, *maxMembers)
	}
	if *adminIdle < time.Minute || *adminMaxAge < time.Second {
		return fmt.Errorf("--admin-session-idle %v must be at least 1m and --admin-session-max-age %v at least 1s", *adminIdle, *adminMaxAge)
	}
	budget, err := queryBudget(*queryTimeout, *queryPatterns, *queryConcurrency, *queryWait)
	if err != nil {
		return err
	}
	signupAddr, err := dataFlags(*signupLimit, *maxUserBytes)
	if err != nil {
		return err
	}
	if *memLimit < -1 || *memLimit > 1<<30 {
		return fmt.Errorf("--memory-limit %d: want MiB, 0 for none", *memLimit)
	}
	if *userCache < 0 || *userCache > 1<<20 {
		return fmt.Errorf("--user-cache %d: want MiB from 0 (none) to 1048576", *userCache)
	}
	if *maxImport < 1<<20 {
		return fmt.Errorf("--max-import-bytes %d: must be at least 1048576 (1 MiB)", *maxImport)
	}
	if err := tf.check(); err != nil {
		return err
	}
	accountLogin, err := loginLimit("login-account-limit", core.LoginAccount, *accountLimit)
	if err != nil {
		return err
	}
	addrLogin, err := loginLimit("login-addr-limit", core.LoginAddr, *addrLimit)
	if err != nil {
		return err
	}
	logOut := logbuf.New(stderr, *logFlush)
	defer logOut.Close()
	log, err := newLogger(logOut, *logFormat)
	if err != nil {
		return err
	}
	mounted, err := resolveMounts(mounts)
	if err != nil {
		return err
	}
	origins, err := httpx.ParseOrigins(*corsOrigins)
	if err != nil {
		return fmt.Errorf("--cors-origins %w", err)
	}
	var limiter core.RateLimiter = core.NewMemoryRateLimiter(core.DefaultMemoryKeys)
	limiterKind := "memory"
	var rdb *redisrate.Limiter
	if *redisURL != "" {
		if rdb, err = redisrate.Open(ctx, *redisURL, *redisPrefix); err != nil {
			return fmt.Errorf("--redis: %w", err)
		}
		defer rdb.Close()
		limiter, limiterKind = rdb, "redis"
	}
	if err := checkMetricsPath(*metricsPath, mounted); err != nil {
		return err
	}
	var fo faceOptions
	fo.drf.AllUsers = *drfAllUsers
	if p, ok := mounted["media"]; ok {
		fo.drf.MediaPrefix = p
	}
	if fo.e621.Levels, err = e621.ParseLevelTable(*e621Levels); err != nil {
		return fmt.Errorf("--e621-levels: %w", err)
	}
	if fo.drf.Rates, err = drf.ParseRates(*drfRates); err != nil {
		return fmt.Errorf("--drf-rates %w", err)
	}
	if fo.pronouns.Rates, err = pronouns.ParseRates(*pronounsRates); err != nil {
		return fmt.Errorf("--pronouns-rates %w", err)
	}
	if fo.rb.Rates, err = reviewboard.ParseRates(*rbRates); err != nil {
		return fmt.Errorf("--reviewboard-rates %w", err)
	}
	fo.rb.RequireLogin = *rbRequireLogin
	// The preview serves through the whole server, which exists only once
	// every face is mounted: root is set below, before the first request.
	var root http.Handler
	fo.console = console.Options{Idle: *adminIdle, MaxAge: *adminMaxAge, MediaPrefix: mounted["media"],
		Preview: consolePreview(&root, mounted)}
	db, kind, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	cacheBytes := int64(*userCache) << 20
	db.Users = sqlstore.NewUserCache(cacheBytes)

	if err := reportNameCollisions(ctx, db, log); err != nil {
		return err
	}
	svc := core.NewService(db)
	setMemoryLimit(*memLimit, cacheBytes, svc.HashMemory(), getenv, log)
	svc.Signup = *signup
	svc.Log = log
	svc.Limiter = limiter
	svc.AccountLimit = accountLogin
	svc.AddrLimit = addrLogin
	svc.RenameCooldown = *renameCooldown
	svc.UpstreamHiddenSearch = *hiddenSearch
	svc.Budget = budget
	svc.SignupLimit = signupAddr
	svc.MaxUserBytes = *maxUserBytes
	svc.MaxFlags, svc.MaxMembers, svc.RerollCooldown = *maxFlags, *maxMembers, *rerollCooldown
	svc.AuditRetention = *auditRetention
	tf.apply(svc)
	if *sweepEvery > 0 {
		go svc.RunSweeper(ctx, *sweepEvery)
	}

	m := metrics.New()
	svc.Events = m
	fo.console.Stats = rateLimitStats(m.Registry())
	if err := addPools(m, db); err != nil {
		return err
	}
	if *hookPoll > 0 {
		d := &webhook.Dispatcher{Store: db, Log: log, Poll: *hookPoll, Timeout: *hookTimeout, Attempts: *hookAttempts, Backoff: *hookBackoff,
			Observe: m.WebhookAttempt}
		dctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); d.Run(dctx) }()
		// Stop sending before the store closes.
		defer func() { stop(); <-done }()
	}

	// The service's own routes, counted under the face "system".
	sys := http.NewServeMux()
	sys.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.Raw(w, http.StatusOK, "application/json", []byte(`{"status":"ok"}`+"\n"))
	})
	sys.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			log.Warn("not ready", "err", err)
			httpx.Raw(w, http.StatusServiceUnavailable, "application/json", []byte(`{"status":"database unreachable"}`+"\n"))
			return
		}
		if rdb != nil {
			if err := rdb.Ping(ctx); err != nil {
				log.Warn("not ready", "err", err)
				httpx.Raw(w, http.StatusServiceUnavailable, "application/json", []byte(`{"status":"redis unreachable"}`+"\n"))
				return
			}
		}
		httpx.Raw(w, http.StatusOK, "application/json", []byte(`{"status":"ready"}`+"\n"))
	})
	sysPaths := []string{"/healthz", "/readyz"}
	if *metricsPath != "off" {
		sys.Handle("GET "+*metricsPath, m.Handler())
		sysPaths = append(sysPaths, *metricsPath)
	}
	mux := http.NewServeMux()
	for _, p := range sysPaths {
		mux.Handle(p, m.Face("system", sys)) // methods are the inner mux's business
	}
	mount(mux, nativePrefix, m.Face("native", httpx.CORS(origins, native.NewHandler(svc, log, native.Options{MaxImportBytes: *maxImport}))))
	built, err := buildFaces(svc, log, fo)
	if err != nil {
		return err
	}
	for face, prefix := range mounted {
		if h := built[face]; h != nil {
			mount(mux, prefix, m.Face(face, h))
			log.Info("mounted", "face", face, "prefix", prefix)
		}
	}
	if !slices.Contains(slices.Collect(maps.Values(mounted)), "/") {
		// Paths outside every mount are counted too, as face "none".
		mux.Handle("/", m.Face("none", http.NotFoundHandler()))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	root = httpx.Middleware(log, mux)
	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20, // long filters get a clear 400 from the parser, not a bare 431
	}
	log.Info("listening", "addr", ln.Addr().String(), "store", kind, "rate_limits", limiterKind)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
