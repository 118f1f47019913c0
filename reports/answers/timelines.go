package answers

// PORT
func buildTimelines(b *builder) *Answer { return &Answer{ID: "timelines"} }
