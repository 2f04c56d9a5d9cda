package memavail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree writes files (path → content) below a new directory, its root.
func tree(t *testing.T, files map[string]string) string {
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

const meminfo8G = "MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    8388608 kB\n"

func TestSystem(t *testing.T) {
	for _, c := range []struct {
		name   string
		files  map[string]string
		want   uint64
		source string // a part of Room.Source
	}{
		{"meminfo only", map[string]string{"proc/meminfo": meminfo8G}, 8 << 30, "MemAvailable"},
		{"v2 limit below MemAvailable", map[string]string{
			"proc/meminfo":                        meminfo8G,
			"proc/self/cgroup":                    "0::/jobs/a\n",
			"proc/self/mountinfo":                 "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/jobs/a/memory.max":     "max\n",
			"sys/fs/cgroup/jobs/a/memory.current": "100\n",
			"sys/fs/cgroup/jobs/memory.max":       "1073741824\n",
			"sys/fs/cgroup/jobs/memory.current":   "73741824\n",
			"sys/fs/cgroup/memory.max":            "max\n",
			"sys/fs/cgroup/memory.current":        "5\n",
		}, 1073741824 - 73741824, "memory.max of /jobs"},
		{"v2 over its limit has no room", map[string]string{
			"proc/meminfo":                 meminfo8G,
			"proc/self/cgroup":             "0::/\n",
			"proc/self/mountinfo":          "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/memory.max":     "1000\n",
			"sys/fs/cgroup/memory.current": "2000\n",
		}, 0, "memory.max of /"},
		{"v1 memory controller, mount root below the hierarchy", map[string]string{
			"proc/meminfo":        meminfo8G,
			"proc/self/cgroup":    "4:cpu,memory:/pod/c1\n3:cpuset:/\n",
			"proc/self/mountinfo": "34 30 0:31 /pod /sys/fs/cgroup/mem\\040ory rw,relatime - cgroup cgroup rw,cpu,memory\n",
			"sys/fs/cgroup/mem ory/c1/memory.limit_in_bytes": "2147483648\n",
			"sys/fs/cgroup/mem ory/c1/memory.usage_in_bytes": "1073741824\n",
			"sys/fs/cgroup/mem ory/memory.limit_in_bytes":    "9223372036854771712\n",
			"sys/fs/cgroup/mem ory/memory.usage_in_bytes":    "1073741824\n",
		}, 1 << 30, "memory.limit_in_bytes of /c1"},
		{"v1 no limit", map[string]string{
			"proc/meminfo":        meminfo8G,
			"proc/self/cgroup":    "4:memory:/\n",
			"proc/self/mountinfo": "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
			"sys/fs/cgroup/memory/memory.usage_in_bytes": "1\n",
		}, 8 << 30, "MemAvailable"},
		{"cgroup elsewhere in the hierarchy is not ours", map[string]string{
			"proc/meminfo":                 meminfo8G,
			"proc/self/cgroup":             "0::/other\n",
			"proc/self/mountinfo":          "40 30 0:37 /mine /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/memory.max":     "1000\n",
			"sys/fs/cgroup/memory.current": "0\n",
		}, 8 << 30, "MemAvailable"},
		{"unreadable figures are ignored", map[string]string{
			"proc/meminfo":                 "MemAvailable: lots kB\n",
			"proc/self/cgroup":             "0::/\n",
			"proc/self/mountinfo":          "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			"sys/fs/cgroup/memory.max":     "12k\n",
			"sys/fs/cgroup/memory.current": "0\n",
		}, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, ok := system(tree(t, c.files))
			if c.source == "" {
				assert.False(t, ok, "room %v", r)
				return
			}
			require.True(t, ok)
			assert.Equal(t, c.want, r.Bytes, r.Source)
			assert.Contains(t, r.Source, c.source)
		})
	}
}

// TestGetHere: on this machine the room is read, and is at most what
// /proc/meminfo calls available (a cgroup or Go limit can only lower it).
func TestGetHere(t *testing.T) {
	r, ok := Get()
	require.True(t, ok)
	kb, found := meminfo("/proc/meminfo", "MemAvailable")
	require.True(t, found)
	assert.LessOrEqual(t, r.Bytes, kb*1024*2, "room %v against MemAvailable %d kB read a moment later", r, kb)
	assert.NotEmpty(t, r.Source)
	assert.True(t, strings.Contains(r.String(), "iB ("), r.String())
}
