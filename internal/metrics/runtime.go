package metrics

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// writeGo writes the Go runtime's figures under the names the Prometheus
// client library's Go collector used, so dashboards keep working.
func writeGo(w *expoWriter) {
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5) // min, 25%, 50%, 75%, max
	debug.ReadGCStats(&gc)
	w.header("go_gc_duration_seconds", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", "summary")
	for i, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
		w.sample("go_gc_duration_seconds", nil, nil, "quantile", q, gc.PauseQuantiles[i].Seconds())
	}
	w.sample("go_gc_duration_seconds_sum", nil, nil, "", 0, gc.PauseTotal.Seconds())
	w.sample("go_gc_duration_seconds_count", nil, nil, "", 0, float64(gc.NumGC))

	w.gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	w.header("go_info", "Information about the Go environment.", "gauge")
	w.sample("go_info", []string{"version"}, []string{runtime.Version()}, "", 0, 1)
	threads, _ := runtime.ThreadCreateProfile(nil)
	w.gauge("go_threads", "Number of OS threads created.", float64(threads))
	w.gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", float64(runtime.GOMAXPROCS(0)))
	w.gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user (GOMEMLIMIT), otherwise math.MaxInt64.",
		float64(debug.SetMemoryLimit(-1))) // a negative limit reads it and changes nothing

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for _, m := range []struct {
		name, help string
		counter    bool
		v          uint64
	}{
		{"alloc_bytes", "Number of bytes allocated in heap and currently in use.", false, ms.Alloc},
		{"alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already.", true, ms.TotalAlloc},
		{"buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table.", false, ms.BuckHashSys},
		{"frees_total", "Total number of heap objects frees.", true, ms.Frees},
		{"gc_sys_bytes", "Number of bytes used for garbage collection system metadata.", false, ms.GCSys},
		{"heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", false, ms.HeapAlloc},
		{"heap_idle_bytes", "Number of heap bytes waiting to be used.", false, ms.HeapIdle},
		{"heap_inuse_bytes", "Number of heap bytes that are in use.", false, ms.HeapInuse},
		{"heap_objects", "Number of currently allocated objects.", false, ms.HeapObjects},
		{"heap_released_bytes", "Number of heap bytes released to OS.", false, ms.HeapReleased},
		{"heap_sys_bytes", "Number of heap bytes obtained from system.", false, ms.HeapSys},
		{"mallocs_total", "Total number of heap objects allocated.", true, ms.Mallocs},
		{"mcache_inuse_bytes", "Number of bytes in use by mcache structures.", false, ms.MCacheInuse},
		{"mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system.", false, ms.MCacheSys},
		{"mspan_inuse_bytes", "Number of bytes in use by mspan structures.", false, ms.MSpanInuse},
		{"mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system.", false, ms.MSpanSys},
		{"next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", false, ms.NextGC},
		{"other_sys_bytes", "Number of bytes used for other system allocations.", false, ms.OtherSys},
		{"stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments.", false, ms.StackInuse},
		{"stack_sys_bytes", "Number of bytes obtained from system for stack allocator.", false, ms.StackSys},
		{"sys_bytes", "Number of bytes obtained from system.", false, ms.Sys},
	} {
		name := "go_memstats_" + m.name
		if m.counter {
			w.header(name, m.help, "counter")
			w.sample(name, nil, nil, "", 0, float64(m.v))
		} else {
			w.gauge(name, m.help, float64(m.v))
		}
	}
	w.gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(ms.LastGC)/1e9)
}

// writeProcess writes the process's figures as the client library's process
// collector did (Linux: from /proc; a figure that cannot be read is left out).
func writeProcess(w *expoWriter) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		w.header("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter")
		w.sample("process_cpu_seconds_total", nil, nil, "", 0, cpu.Seconds())
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		w.gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds)))
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		w.gauge("process_max_fds", "Maximum number of open file descriptors.", float64(lim.Cur))
	}
	if st, ok := procStat(); ok {
		w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", float64(st.rss*uint64(os.Getpagesize())))
		w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", float64(st.vsize))
		if boot, ok := bootTime(); ok {
			// starttime is in clock ticks since boot; Linux's USER_HZ is 100.
			w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", float64(boot)+float64(st.startTicks)/100)
		}
	}
}

type stat struct {
	startTicks, vsize, rss uint64
}

// procStat reads /proc/self/stat: fields 22 (starttime), 23 (vsize) and 24
// (rss, in pages), counted after the command name, which may hold spaces.
func procStat() (stat, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 22 {
		return stat{}, false
	}
	var st stat
	var e1, e2, e3 error
	st.startTicks, e1 = strconv.ParseUint(f[19], 10, 64)
	st.vsize, e2 = strconv.ParseUint(f[20], 10, 64)
	st.rss, e3 = strconv.ParseUint(f[21], 10, 64)
	return st, e1 == nil && e2 == nil && e3 == nil
}

// bootTime is the btime line of /proc/stat: the boot, in Unix seconds.
func bootTime() (uint64, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
