package answers

// PORT
func buildPictures(b *builder) *Answer { return &Answer{ID: "pictures"} }
