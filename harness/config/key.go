package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/BurntSushi/toml"
)

// KeyVersion is bumped when the meaning of a config changes without its fields
// changing (say, a layer's initialization), so old results are never reused.
const KeyVersion = 1

// Canonical is the config's canonical TOML: every key, sorted, defaults filled in.
// Backend is left out: it says where a cell runs, not what it computes, and the
// profile (which is in the key) already separates CPU-scaled from full runs.
// Keys added after cells were run (augment, init) are left out at the value
// that reproduces what those cells computed (see atLegacyValue).
func (c Config) Canonical() string {
	m := map[string]any{}
	for _, k := range Keys() {
		if k == "backend" {
			continue
		}
		v, _ := c.Get(k)
		if atLegacyValue(k, v) {
			continue
		}
		if k == "subset" && c.TrainLimit == 0 && c.TestLimit == 0 {
			continue // no limit: every rule takes the whole split
		}
		m[k] = v
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(m); err != nil { // map keys are encoded sorted
		panic(err)
	}
	return buf.String()
}

// Key is the cell key: a short hash of the canonical config plus the profile.
func (c Config) Key(profile string) string {
	h := sha256.New()
	fmt.Fprintf(h, "alexbench-cell v%d\nprofile = %q\n%s", KeyVersion, profile, c.Canonical())
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TOML is the config as written to a cell's config.toml (backend included).
func (c Config) TOML() []byte {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
