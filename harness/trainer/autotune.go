package trainer

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// AutotuneCache is what a cell found in XLA's persistent autotune cache
// (backend.AutotuneCacheFlag): entries before and after it ran. Warm means
// the cache already had entries when the cell started, so fusions an
// earlier cell or run tuned were not tuned again; EntriesAfter −
// EntriesBefore is what this cell (and any cell beside it) added.
type AutotuneCache struct {
	Dir           string `json:"dir"`
	EntriesBefore int    `json:"entries_before"`
	EntriesAfter  int    `json:"entries_after"`
	Warm          bool   `json:"warm"`
}

// CacheEntries counts the regular files under dir, dot files (a writer's
// temporaries) left out; a missing dir has none.
func CacheEntries(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}
