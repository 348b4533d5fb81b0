package ossapi_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/ossapi"
	"github.com/ossfs/ossfs/ossapi/signer"
)

const emuAK, emuSecret = "LTAIemulatorAK", "emulatorSecret"

func startEmulator(tb testing.TB) *emulator.Server {
	tb.Helper()
	s, err := emulator.Start(emulator.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	s.AddUser(emuAK, emuSecret)
	if err := s.CreateBucket("bucket"); err != nil {
		tb.Fatal(err)
	}
	return s
}

func emuClient(tb testing.TB, s *emulator.Server, sigV int, mod ...func(*ossapi.Config)) *ossapi.Client {
	tb.Helper()
	cfg := ossapi.Config{Endpoint: s.Endpoint(), Region: s.Region(), Bucket: "bucket", SignatureVersion: sigV,
		Credentials: creds.Static(creds.Credentials{AccessKeyID: emuAK, AccessKeySecret: emuSecret}),
		Retry:       ossapi.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := ossapi.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The whole client surface against the emulator, in both signature versions.
func TestAgainstEmulator(t *testing.T) {
	s := startEmulator(t)
	keys := []string{"dir/a b+c~文.txt", "dir/plus+sign", "dir/pct%20lit", "dir/sub/x", "dir/sub/y", "dir/z?#&=", "top"}
	for i, k := range keys {
		if _, err := s.PutObject("bucket", k, bytes.Repeat([]byte{byte(i)}, i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSymlink("bucket", "link", "dir/a b+c~文.txt"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int{1, 4} {
		c := emuClient(t, s, v)
		ctx := t.Context()
		if err := c.CheckAccess(ctx); err != nil {
			t.Fatalf("v%d: %v", v, err)
		}
		// Page through dir/ two entries at a time.
		var got []string
		tok := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("too many pages")
			}
			p, err := c.ListObjectsV2(ctx, ossapi.ListRequest{Prefix: "dir/", Delimiter: "/", MaxKeys: 2, ContinuationToken: tok})
			if err != nil {
				t.Fatalf("v%d list: %v", v, err)
			}
			for _, o := range p.Objects {
				got = append(got, o.Key)
			}
			got = append(got, p.CommonPrefixes...)
			if !p.IsTruncated {
				break
			}
			tok = p.NextContinuationToken
		}
		slices.Sort(got)
		want := []string{"dir/a b+c~文.txt", "dir/pct%20lit", "dir/plus+sign", "dir/sub/", "dir/z?#&="}
		if !slices.Equal(got, want) {
			t.Errorf("v%d list\n got %q\nwant %q", v, got, want)
		}
		info, err := c.HeadObject(ctx, "dir/z?#&=")
		if err != nil || info.Size != 6 {
			t.Errorf("v%d head: %+v %v", v, info, err)
		}
		if _, err := c.HeadObject(ctx, "nope"); !errors.Is(err, ossapi.ErrNotFound) {
			t.Errorf("v%d head missing: %v", v, err)
		}
		rc, info, err := c.GetObject(ctx, ossapi.GetRequest{Key: "dir/sub/y", Offset: 1, Length: 3, IfMatch: ""})
		if err != nil {
			t.Fatalf("v%d get: %v", v, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(b, []byte{4, 4, 3 + 1}) || info.Size != 5 {
			t.Errorf("v%d get: %v %v %+v", v, b, err, info)
		}
		// At and past the end: the emulator answers 416 (standard range
		// behaviour); the reader gives an empty stream.
		for _, gr := range []ossapi.GetRequest{{Key: "top", Offset: 7, Length: 10}, {Key: "top", Offset: 7, Length: -1}, {Key: "top", Length: 0}} {
			rc, _, err := c.GetObject(ctx, gr)
			if err != nil {
				t.Fatalf("v%d get %+v: %v", v, gr, err)
			}
			if b, err := io.ReadAll(rc); err != nil || len(b) != 0 {
				t.Errorf("v%d get %+v: %q %v", v, gr, b, err)
			}
			rc.Close()
		}
		if _, _, err := c.GetObject(ctx, ossapi.GetRequest{Key: "top", Length: -1, IfMatch: `"0000"`}); !errors.Is(err, ossapi.ErrPreconditionFailed) {
			t.Errorf("v%d get if-match: %v", v, err)
		}
		if tgt, err := c.GetSymlink(ctx, "link"); err != nil || tgt != "dir/a b+c~文.txt" {
			t.Errorf("v%d symlink: %q %v", v, tgt, err)
		}
		if _, err := c.GetSymlink(ctx, "top"); !errors.Is(err, ossapi.ErrNotSymlink) {
			t.Errorf("v%d not symlink: %v", v, err)
		}
	}
	bad := emuClient(t, s, 4, func(cfg *ossapi.Config) {
		cfg.Credentials = creds.Static(creds.Credentials{AccessKeyID: emuAK, AccessKeySecret: "wrong"})
	})
	if err := bad.CheckAccess(t.Context()); !errors.Is(err, ossapi.ErrInvalidCredentials) {
		t.Errorf("wrong secret: %v", err)
	}
	skewed := emuClient(t, s, 4, func(cfg *ossapi.Config) { cfg.Now = func() time.Time { return time.Now().Add(time.Hour) } })
	if err := skewed.CheckAccess(t.Context()); !errors.Is(err, ossapi.ErrClockSkew) {
		t.Errorf("skewed clock: %v", err)
	}
	nob := emuClient(t, s, 4, func(cfg *ossapi.Config) { cfg.Bucket = "no-such-bucket" })
	if err := nob.CheckAccess(t.Context()); !errors.Is(err, ossapi.ErrNoSuchBucket) {
		t.Errorf("missing bucket: %v", err)
	}
}

// Injected resets, stalls and 5xx: the bytes still come out right.
func TestEmulatorFaults(t *testing.T) {
	s := startEmulator(t)
	const size = 4 << 20
	if _, err := s.PutObjectGenerated("bucket", "big", size, 7); err != nil {
		t.Fatal(err)
	}
	want := emulator.GeneratedData(size, 7)
	s.SetFaults(emulator.Faults{ErrorRate: 0.2, ResetRate: 0.3, StallRate: 0.2, StallFor: time.Minute, Seed: 1})
	c := emuClient(t, s, 4, func(cfg *ossapi.Config) {
		cfg.StallTimeout = 100 * time.Millisecond
		cfg.Retry.MaxAttempts = 10
	})
	for _, rg := range [][2]int64{{0, -1}, {12345, 1 << 20}, {size - 10, -1}} {
		rc, _, err := c.GetObject(t.Context(), ossapi.GetRequest{Key: "big", Offset: rg[0], Length: rg[1]})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		end := int64(size)
		if rg[1] >= 0 {
			end = rg[0] + rg[1]
		}
		if err != nil || !bytes.Equal(got, want[rg[0]:end]) {
			t.Fatalf("range %v: %d bytes, err %v", rg, len(got), err)
		}
	}
	if s.Count("GetObject") < 4 {
		t.Errorf("faults did not trigger resumes: %v", s.Counts())
	}
}

// BenchmarkGetObject streams a 1 GiB object through the client and, for
// comparison, through a plain signed net/http GET of the same bytes.
func BenchmarkGetObject(b *testing.B) {
	s := startEmulator(b)
	const size = 1 << 30
	if _, err := s.PutObjectGenerated("bucket", "gib", size, 1); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	run := func(b *testing.B, get func() (io.ReadCloser, error)) {
		b.SetBytes(size)
		b.ReportAllocs()
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rc, err := get()
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{rc}, buf)
			rc.Close()
			if err != nil || n != size {
				b.Fatalf("%d bytes, %v", n, err)
			}
		}
		b.StopTimer()
		runtime.ReadMemStats(&ms1)
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/(size>>20), "allocs/MiB")
	}
	b.Run("client", func(b *testing.B) {
		c := emuClient(b, s, 4)
		run(b, func() (io.ReadCloser, error) {
			rc, _, err := c.GetObject(b.Context(), ossapi.GetRequest{Key: "gib", Length: -1})
			return rc, err
		})
	})
	b.Run("plain", func(b *testing.B) {
		hc := &http.Client{Transport: &http.Transport{DisableCompression: true, ReadBufferSize: 64 << 10}}
		run(b, func() (io.ReadCloser, error) {
			req, err := http.NewRequestWithContext(b.Context(), "GET", s.Endpoint()+"/bucket/gib", nil)
			if err != nil {
				return nil, err
			}
			signer.SignV4(req, "bucket", "gib", s.Region(), creds.Credentials{AccessKeyID: emuAK, AccessKeySecret: emuSecret}, time.Now())
			resp, err := hc.Do(req)
			if err != nil {
				return nil, err
			}
			if resp.StatusCode != 200 {
				resp.Body.Close()
				return nil, errors.New(resp.Status)
			}
			return resp.Body, nil
		})
	})
}
