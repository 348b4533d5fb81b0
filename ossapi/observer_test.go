package ossapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ossfs/ossfs/creds"
)

type recordingObserver struct {
	mu       sync.Mutex
	attempts []int
	retries  int
}

func (o *recordingObserver) ObserveAttempt(api string, status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, status)
}

func (o *recordingObserver) ObserveRetry(api string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retries++
}

// Two 503s then a 200: three attempts observed with their statuses, two
// retries.
func TestObserverSeesAttemptsAndRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("ETag", `"E"`)
		w.Header().Set("Content-Length", "3")
	}))
	defer srv.Close()
	obs := &recordingObserver{}
	c, err := New(Config{
		Endpoint: srv.URL, Region: "cn-hangzhou", Bucket: "bkt",
		Credentials: creds.Static(creds.Credentials{AccessKeyID: "ak", AccessKeySecret: "sk"}),
		Retry:       RetryPolicy{MaxAttempts: 3, BaseDelay: 1, MaxDelay: 1},
		Observer:    obs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadObject(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []int{503, 503, 200}; len(obs.attempts) != 3 || obs.attempts[0] != want[0] || obs.attempts[2] != want[2] {
		t.Errorf("attempts %v, want %v", obs.attempts, want)
	}
	if obs.retries != 2 {
		t.Errorf("retries %d, want 2", obs.retries)
	}
}
