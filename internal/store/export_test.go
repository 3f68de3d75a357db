package store

// SetSearchDense changes the match count from which SQLite search walks
// tickets by activity, so tests run both plans on small data.
func SetSearchDense(s *Store, n int) { s.searchDense = n }
