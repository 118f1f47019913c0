package matrix

import "fmt"

// The two profiles a matrix defines. quick is CPU-feasible (subsets, fewer
// epochs, small inputs); full is d2l's scale. The profile is part of every cell
// key, so quick and full results never mix.
const (
	ProfileQuick = "quick"
	ProfileFull  = "full"
	ProfileAuto  = "auto"
)

// Profiles lists the profiles every matrix is expanded (and checked) for.
var Profiles = []string{ProfileQuick, ProfileFull}

// ResolveProfile turns a --profile value into quick or full: auto is full when
// gpu reports a usable GPU backend, else quick. gpu may be nil (no GPU).
func ResolveProfile(profile string, gpu func() bool) (string, error) {
	switch profile {
	case ProfileQuick, ProfileFull:
		return profile, nil
	case ProfileAuto, "":
		if gpu != nil && gpu() {
			return ProfileFull, nil
		}
		return ProfileQuick, nil
	}
	return "", fmt.Errorf("profile %q: must be auto, quick or full", profile)
}
