//go:build !race

package mail

// maxParseAlloc bounds a parse's allocations in TestParseAllocations, as
// times the raw size (race_test.go has the figure under -race).
const maxParseAlloc = 3.4
