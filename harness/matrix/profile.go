package matrix

import (
	"fmt"
	"slices"
)

// The three profiles a matrix defines:
//   - full is d2l's scale, for a GPU;
//   - cpu is the default without a GPU: each matrix sizes it from measured
//     pilots so its comparisons decide on a 2-core CPU within an hour (d2l's
//     own recipe where a CPU affords it, LeNet's in particular);
//   - quick is a smoke profile of small subsets and few steps, for tests and a
//     first look: it shows the shape of a result, not an answer.
//
// The profile is part of every cell key, so results of different profiles
// never mix.
const (
	ProfileQuick = "quick"
	ProfileCPU   = "cpu"
	ProfileFull  = "full"
	ProfileAuto  = "auto"
)

// Profiles lists the profiles every matrix is expanded (and checked) for.
var Profiles = []string{ProfileQuick, ProfileCPU, ProfileFull}

// KnownProfile reports whether name is one of Profiles.
func KnownProfile(name string) bool { return slices.Contains(Profiles, name) }

// ResolveProfile turns a --profile value into one of Profiles: auto is full
// when gpu reports a usable GPU backend, else cpu. gpu may be nil (no GPU).
func ResolveProfile(profile string, gpu func() bool) (string, error) {
	switch {
	case KnownProfile(profile):
		return profile, nil
	case profile == ProfileAuto || profile == "":
		if gpu != nil && gpu() {
			return ProfileFull, nil
		}
		return ProfileCPU, nil
	}
	return "", fmt.Errorf("profile %q: must be auto, quick, cpu or full", profile)
}
