package data

// Kind of IDX file: images (magic 2051, rank 3) or labels (magic 2049, rank 1).
type kind int

const (
	imagesKind kind = iota
	labelsKind
)

// IDX magic numbers: 0x0803 is unsigned bytes, rank 3; 0x0801 is unsigned bytes, rank 1.
const (
	imagesMagic = 2051
	labelsMagic = 2049
)

const (
	// Height and Width of every Fashion-MNIST image.
	Height = 28
	Width  = 28
	// NumClasses is the number of labels (0..9).
	NumClasses = 10
)

// maxExamples bounds the count an IDX header may claim, so a corrupt header can
// never make us allocate gigabytes (the real files hold 60,000 and 10,000).
const maxExamples = 1 << 20

// fileSpec is one file of the dataset: its canonical name (without .gz) and the
// SHA-256 of its decompressed bytes.
type fileSpec struct {
	name   string
	kind   kind
	sha256 string
}

// splitSpec pairs an images file with its labels file.
type splitSpec struct {
	name           string // "train" or "test"
	images, labels fileSpec
}

// fashionMNIST is the dataset: the hashes are those of the upstream release's
// decompressed files (so Debian's re-gzipped copies pass too).
var fashionMNIST = [2]splitSpec{
	{
		name:   "train",
		images: fileSpec{"train-images-idx3-ubyte", imagesKind, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
		labels: fileSpec{"train-labels-idx1-ubyte", labelsKind, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
	},
	{
		name:   "test",
		images: fileSpec{"t10k-images-idx3-ubyte", imagesKind, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
		labels: fileSpec{"t10k-labels-idx1-ubyte", labelsKind, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
	},
}

// allFiles lists the four files in a fixed order: train images, train labels,
// test images, test labels.
func allFiles(splits [2]splitSpec) []fileSpec {
	return []fileSpec{splits[0].images, splits[0].labels, splits[1].images, splits[1].labels}
}
