package notify

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/vcodekit/vcode/delivery"
)

// Writer writes each message as one JSON object on its own line:
//
//	{"channel":"sms","to":"+8613612345678","code":"753927","language":"zh-CN","expires_at":"2026-11-25T10:00:00Z","text":"...","request_id":"..."}
//
// It prints the code in plaintext, which is its purpose: use it only in
// development. Lines from concurrent calls never interleave.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

var _ delivery.Notifier = (*Writer)(nil)

// NewWriter returns a Writer printing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

type line struct {
	Channel   delivery.Channel `json:"channel"`
	To        string           `json:"to"`
	Code      string           `json:"code"`
	Language  string           `json:"language"`
	ExpiresAt time.Time        `json:"expires_at"`
	Subject   string           `json:"subject,omitempty"`
	Text      string           `json:"text"`
	RequestID string           `json:"request_id,omitempty"`
}

// Notify implements delivery.Notifier.
func (w *Writer) Notify(_ context.Context, m delivery.Message) error {
	b, err := json.Marshal(line{
		Channel:   m.Channel,
		To:        m.To,
		Code:      m.Code,
		Language:  m.Language.String(),
		ExpiresAt: m.ExpiresAt.UTC(),
		Subject:   m.Subject,
		Text:      m.Text,
		RequestID: m.RequestID,
	})
	if err != nil {
		return err
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(b)
	return err
}

// Discard accepts every message and delivers none.
var Discard delivery.Notifier = delivery.NotifierFunc(func(context.Context, delivery.Message) error { return nil })
