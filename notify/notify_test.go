package notify_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
)

// TestWriterOneObjectPerLine: concurrent messages come out as whole JSON
// lines with the documented fields.
func TestWriterOneObjectPerLine(t *testing.T) {
	var buf bytes.Buffer
	w := notify.NewWriter(&buf)
	exp := time.Date(2026, 11, 25, 10, 1, 0, 0, time.FixedZone("CST", 8*3600))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Notify(context.Background(), delivery.Message{
				Channel: delivery.Email, To: fmt.Sprintf("u%d@example.com", i), Code: "0123",
				Language: i18n.ZhCN, ExpiresAt: exp, Subject: "s", Text: "line one\nline two",
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sc := bufio.NewScanner(&buf)
	lines := 0
	for sc.Scan() {
		lines++
		var got map[string]any
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d is not one JSON object: %v: %q", lines, err, sc.Text())
		}
		for k, want := range map[string]any{
			"channel": "email", "code": "0123", "language": "zh-CN",
			"expires_at": "2026-11-25T02:01:00Z", "text": "line one\nline two",
		} {
			if got[k] != want {
				t.Errorf("%s = %v, want %v", k, got[k], want)
			}
		}
	}
	if lines != 50 {
		t.Fatalf("%d lines, want 50", lines)
	}
}

func TestRecorder(t *testing.T) {
	var r notify.Recorder
	if _, ok := r.LastCode("x"); ok {
		t.Fatal("empty recorder has a code")
	}
	ctx := context.Background()
	r.Notify(ctx, delivery.Message{To: "a", Code: "1111"})
	r.Notify(ctx, delivery.Message{To: "b", Code: "2222"})
	r.Notify(ctx, delivery.Message{To: "a", Code: "3333"})
	if c, _ := r.LastCode("a"); c != "3333" {
		t.Fatalf("LastCode(a) = %q", c)
	}
	// The destination as a user types it finds the normalised one.
	r.Notify(ctx, delivery.Message{To: "+8613612345678", Code: "4444"})
	r.Notify(ctx, delivery.Message{To: "alice@example.com", Code: "5555"})
	for typed, want := range map[string]string{
		"+8613612345678": "4444", "136 1234 5678": "4444", "+86 136-1234-5678": "4444",
		"alice@example.com": "5555", "Alice@Example.COM": "5555",
	} {
		if c, ok := r.LastCode(typed); !ok || c != want {
			t.Errorf("LastCode(%q) = %q, %v; want %q", typed, c, ok, want)
		}
	}
	if r.Len() != 5 || len(r.Messages()) != 5 || r.Messages()[1].Code != "2222" {
		t.Fatalf("Messages = %+v", r.Messages())
	}
	if err := notify.Discard.Notify(ctx, delivery.Message{}); err != nil {
		t.Fatal(err)
	}
}
