package httpx

import (
	"strconv"
	"time"
)

// RetryAfter is a Retry-After header value for a wait of d: whole
// seconds, rounded up, at least 1.
func RetryAfter(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}
