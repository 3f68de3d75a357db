package blob_test

import (
	"context"
	"slices"
	"testing"
)

func TestKeysListsContentOnly(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openStore(t, url)
		if empty, err := s.Empty(ctx); err != nil || !empty {
			t.Fatalf("new store: empty %v, %v", empty, err)
		}
		if err := s.Ping(ctx); err != nil { // its marker is not content
			t.Fatal(err)
		}
		if empty, err := s.Empty(ctx); err != nil || !empty {
			t.Fatalf("after ping: empty %v, %v", empty, err)
		}
		k1, _, err := s.Put(ctx, "raw", []byte("one"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutKey(ctx, "att/zz/given", []byte("two")); err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := s.Keys(ctx, func(k string) error { keys = append(keys, k); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := []string{"att/zz/given", k1}; !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}
		if got, err := s.Get(ctx, "att/zz/given"); err != nil || string(got) != "two" {
			t.Fatalf("PutKey then Get: %q, %v", got, err)
		}
		if empty, _ := s.Empty(ctx); empty {
			t.Fatal("store with content reported empty")
		}
	})
}
