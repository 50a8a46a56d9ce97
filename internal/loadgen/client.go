package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Client speaks HTTP/1.1 to one loopback server over plain keep-alive
// connections of its own (Conn), without net/http's client: on a small
// machine that client costs about as much CPU as the server it measures,
// so a benchmark driven by it measures the client. It does what a
// closed-loop benchmark needs and no more: GET and bodies for POST or
// PATCH, Content-Length and chunked answers, the status for counting
// errors. No TLS, no redirects, no proxies, no compression.
type Client struct {
	host   string // the Host header
	addr   string // host:port to dial
	dialer net.Dialer
	// Timeout bounds one request, send to last byte of the answer
	// (30 s when 0); the context's deadline, if sooner, wins.
	Timeout time.Duration
}

// NewClient is a client for target, a base URL such as
// http://127.0.0.1:8080 (its path is ignored; requests carry their own).
// Targets off loopback are refused here and again on every dial, so a
// name that resolves elsewhere later is refused too.
func NewClient(target string) (*Client, error) {
	u, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("target %q: this client speaks plain http only", target)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	c := &Client{host: u.Host, addr: addr}
	c.dialer.Timeout = 10 * time.Second
	c.dialer.Control = func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("%s is not loopback; refusing", address)
		}
		return nil
	}
	return c, nil
}

// Conn is one keep-alive connection of a Client, dialled when first
// used and again after the server closes it. A Conn is not safe for
// concurrent use: a closed-loop worker owns one.
type Conn struct {
	c     *Client
	mu    sync.Mutex // guards nc against an abort from another goroutine
	nc    net.Conn
	br    *bufio.Reader
	tp    *textproto.Reader // over br, for trailers
	wbuf  []byte
	body  []byte
	reuse bool // nc has answered a request before

	ctx    context.Context // the context whose cancellation aborts nc
	unhook func() bool

	// Dials counts the connections opened, the first included.
	Dials int
}

// Conn is a new connection of c; nothing is dialled until its first
// request.
func (c *Client) Conn() *Conn { return &Conn{c: c} }

// Request is one request. Path is the request target: path and query,
// escaped. Header holds name, value pairs.
type Request struct {
	Method string
	Path   string
	Header []string
	Body   []byte
}

// Response is an answer. Body is valid until the Conn's next request.
type Response struct {
	Status int
	Body   []byte
}

// maxBody bounds an answer's body: a benchmark's pages are far smaller,
// and a bound keeps a broken server from filling memory.
const maxBody = 64 << 20

// errRetry marks a failure on a reused connection before any byte of the
// answer: the server closed it while idle, and the request goes again on
// a new one, as net/http's client does.
var errRetry = errors.New("connection closed before the answer")

// Do sends r and reads the answer. A status outside 2xx is not an error
// here; the caller counts it. A transport failure closes the connection
// (the next request dials anew) and is returned.
func (c *Conn) Do(ctx context.Context, r *Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return Response{}, context.DeadlineExceeded // its timer has yet to fire
	}
	c.watch(ctx)
	resp, err := c.do(ctx, r)
	if errors.Is(err, errRetry) {
		resp, err = c.do(ctx, r)
	}
	if err != nil {
		c.closeConn()
		if ctx.Err() != nil {
			err = ctx.Err()
		} else if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			err = context.DeadlineExceeded
		}
		return Response{}, err
	}
	return resp, nil
}

func (c *Conn) do(ctx context.Context, r *Request) (Response, error) {
	if c.nc == nil {
		if err := c.dial(ctx); err != nil {
			return Response{}, err
		}
	}
	timeout := c.c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.nc.SetDeadline(deadline)
	c.wbuf = c.appendRequest(c.wbuf[:0], r)
	reused := c.reuse
	if _, err := c.nc.Write(c.wbuf); err != nil {
		c.closeConn()
		if reused && ctx.Err() == nil {
			return Response{}, errRetry
		}
		return Response{}, err
	}
	if _, err := c.br.Peek(1); err != nil {
		c.closeConn()
		if reused && ctx.Err() == nil && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
			return Response{}, errRetry
		}
		return Response{}, err
	}
	resp, keep, err := c.readResponse(r.Method)
	if err != nil {
		return Response{}, err
	}
	c.reuse = true
	if !keep {
		c.closeConn()
	}
	return resp, nil
}

func (c *Conn) appendRequest(b []byte, r *Request) []byte {
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = append(b, r.Path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.c.host...)
	b = append(b, "\r\nUser-Agent: usersd-loadgen\r\n"...)
	for i := 0; i+1 < len(r.Header); i += 2 {
		b = append(b, r.Header[i]...)
		b = append(b, ": "...)
		b = append(b, r.Header[i+1]...)
		b = append(b, "\r\n"...)
	}
	if r.Body != nil || (r.Method != "GET" && r.Method != "HEAD") {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(r.Body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, r.Body...)
}

// readResponse reads one answer (skipping 1xx ones) and says whether the
// connection stays open after it. Header lines are read in place from
// the buffer, so an answer costs no allocation beyond its body's growth.
func (c *Conn) readResponse(method string) (resp Response, keep bool, err error) {
	for {
		line, err := c.line()
		if err != nil {
			return resp, false, err
		}
		// "HTTP/1.1 200 OK": the version, a space, three digits.
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
			return resp, false, fmt.Errorf("malformed status line %q", line)
		}
		code, err := strconv.Atoi(string(line[9:12]))
		if err != nil || code < 100 {
			return resp, false, fmt.Errorf("malformed status line %q", line)
		}
		resp.Status = code
		keep = line[7] == '1' // HTTP/1.0 closes unless it says keep-alive
		length, chunked := int64(-1), false
		for {
			h, err := c.line()
			if err != nil {
				return resp, false, err
			}
			if len(h) == 0 {
				break
			}
			k, v, ok := bytes.Cut(h, []byte{':'})
			if !ok {
				return resp, false, fmt.Errorf("malformed header line %q", h)
			}
			v = bytes.TrimSpace(v)
			switch {
			case bytes.EqualFold(k, []byte("Content-Length")):
				n, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil || n < 0 || (length >= 0 && n != length) {
					return resp, false, fmt.Errorf("bad Content-Length %q", v)
				}
				length = n
			case bytes.EqualFold(k, []byte("Transfer-Encoding")):
				if !bytes.EqualFold(v, []byte("chunked")) {
					return resp, false, fmt.Errorf("unsupported Transfer-Encoding %q", v)
				}
				chunked = true
			case bytes.EqualFold(k, []byte("Connection")):
				if bytes.EqualFold(v, []byte("close")) {
					keep = false
				} else if bytes.EqualFold(v, []byte("keep-alive")) {
					keep = true
				}
			}
		}
		if code >= 100 && code < 200 {
			continue // 100 Continue and the like: the answer follows
		}
		c.body = c.body[:0]
		switch {
		case method == "HEAD" || code == 204 || code == 304:
		case chunked:
			err = c.readChunked()
		case length >= 0:
			err = c.readN(length)
		default:
			// No length: the body runs to the end of the connection.
			err = c.readToEOF()
			keep = false
		}
		resp.Body = c.body
		return resp, keep, err
	}
}

// line is the next header line without its CRLF, valid until the next
// read.
func (c *Conn) line() ([]byte, error) {
	l, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, errors.New("header line too long")
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	l = bytes.TrimSuffix(l[:len(l)-1], []byte{'\r'})
	return l, nil
}

func (c *Conn) readN(n int64) error {
	if n > maxBody {
		return fmt.Errorf("a body of %d bytes is over the %d bound", n, maxBody)
	}
	c.body = grow(c.body, int(n))
	_, err := io.ReadFull(c.br, c.body)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (c *Conn) readChunked() error {
	if err := c.readAll(httputil.NewChunkedReader(c.br)); err != nil {
		return err
	}
	// The trailer section, usually empty, ends the answer.
	_, err := c.tp.ReadMIMEHeader()
	return err
}

func (c *Conn) readToEOF() error { return c.readAll(c.br) }

// readAll appends r's bytes to the body, up to maxBody.
func (c *Conn) readAll(r io.Reader) error {
	b := bytes.NewBuffer(c.body[:0])
	n, err := b.ReadFrom(io.LimitReader(r, maxBody+1))
	c.body = b.Bytes()
	if err == nil && n > maxBody {
		err = fmt.Errorf("a body over the %d-byte bound", maxBody)
	}
	return err
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

func (c *Conn) dial(ctx context.Context) error {
	nc, err := c.c.dialer.DialContext(ctx, "tcp", c.c.addr)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.nc = nc
	c.mu.Unlock()
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 64<<10)
		c.tp = textproto.NewReader(c.br)
	} else {
		c.br.Reset(nc)
	}
	c.reuse = false
	c.Dials++
	if ctx.Err() != nil { // cancelled while dialling: the watch missed nc
		c.closeConn()
		return ctx.Err()
	}
	return nil
}

// watch arranges for ctx's cancellation to abort a request in flight: a
// read on a socket does not see a context. One hook serves every request
// made with the same context.
func (c *Conn) watch(ctx context.Context) {
	if ctx == c.ctx {
		return
	}
	if c.unhook != nil {
		c.unhook()
		c.unhook = nil
	}
	c.ctx = ctx
	if ctx.Done() != nil {
		c.unhook = context.AfterFunc(ctx, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.nc != nil {
				c.nc.SetDeadline(time.Unix(1, 0))
			}
		})
	}
}

func (c *Conn) closeConn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// Close closes the connection, if one is open.
func (c *Conn) Close() error {
	if c.unhook != nil {
		c.unhook()
		c.unhook, c.ctx = nil, nil
	}
	c.closeConn()
	return nil
}
