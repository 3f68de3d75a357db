package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestMigrationStatus(t *testing.T) {
	storetest.EmptyEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		latest, err := store.LatestMigration(db.Dialect)
		if err != nil || latest < 6 {
			t.Fatalf("latest migration %d, %v", latest, err)
		}
		fresh, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fresh) < 6 || fresh[len(fresh)-1].Version != latest {
			t.Fatalf("a fresh database lists %d migrations, the last %+v; want the last to be %d", len(fresh), fresh[len(fresh)-1], latest)
		}
		for _, m := range fresh {
			if m.AppliedAt != nil || m.Unknown {
				t.Fatalf("fresh database: %+v not pending", m)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// A migration a newer release applied.
		if _, err := db.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			9999, "9999_future.sql", time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		after, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(fresh)+1 {
			t.Fatalf("listed %d migrations, want %d", len(after), len(fresh)+1)
		}
		for _, m := range after[:len(fresh)] {
			if m.AppliedAt == nil || m.Unknown {
				t.Fatalf("after migrate: %+v", m)
			}
		}
		if f := after[len(fresh)]; f.Version != 9999 || !f.Unknown || f.AppliedAt == nil || f.Name != "9999_future.sql" {
			t.Fatalf("the newer release's migration: %+v", f)
		}
	})
}
