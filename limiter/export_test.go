package limiter

// NewMemoryUnpacked is NewMemory with no packed keys: every key a go-cache
// item, so that the conformance suite covers that layout too.
func NewMemoryUnpacked(opts ...Option) *Memory {
	m := NewMemory(opts...)
	m.mem.SetPacked(nil)
	return m
}
