//go:build race

package mail

// The race detector's instrumentation allocates too (measured: a parse in
// TestParseAllocations 6.75 times the raw size under -race, 3.8 without).
const maxParseAlloc = 7.2
