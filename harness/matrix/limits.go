package matrix

import (
	"bytes"
	"fmt"
)

// maxFileBytes bounds a matrix file. The committed ones are a few KB; decoding
// is what costs (10^6 [[include]] entries took 8–27 s and 2.3 GB before the
// cell count refused them), so the size is checked before any decoding.
const maxFileBytes = 1 << 20

// maxTableEntries bounds the [[include]] / [[exclude]] headers of one array:
// more include entries than maxCells can never expand to an allowed matrix,
// and more exclude entries than cells would leave one matching nothing.
const maxTableEntries = maxCells

// precheck refuses, cheaply and with a line, what is too big to decode: a
// file over maxFileBytes, or an array of tables with more entries than any
// allowed matrix could use. It runs before toml.Decode, in one pass over the
// bytes, allocating nothing per entry beyond a counter per array name.
func precheck(file string, src []byte) error {
	if len(src) > maxFileBytes {
		return &Error{File: file, Line: 1 + bytes.Count(src[:maxFileBytes], []byte("\n")),
			Msg: fmt.Sprintf("%d bytes: a matrix file may have at most %d (the line is where the limit is crossed)", len(src), maxFileBytes)}
	}
	counts := map[string]*int{} // by pointer: a lookup by string(bytes) allocates nothing
	line := 0
	for rest := src; len(rest) > 0; {
		line++
		var l []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			l, rest = rest, nil
		}
		l = bytes.TrimLeft(l, " \t")
		if !bytes.HasPrefix(l, []byte("[[")) {
			continue
		}
		end := bytes.Index(l, []byte("]]"))
		if end < 0 {
			continue // a syntax error: the decoder names it
		}
		name := bytes.TrimSpace(l[2:end])
		n := counts[string(name)]
		if n == nil {
			n = new(int)
			counts[string(name)] = n
		}
		if *n++; *n > maxTableEntries {
			return &Error{File: file, Line: line, Key: string(name),
				Msg: fmt.Sprintf("more than %d [[%s]] entries: no matrix may have more than %d cells", maxTableEntries, name, maxCells)}
		}
	}
	return nil
}

// tableKinds are the top-level keys that must be tables ([fixed], [axes],
// [profile]) or arrays of tables ([[include]], [[exclude]]). The decoder
// silently drops a value of another kind there (`fixed = "lr = 0.5"` decoded
// to an empty [fixed] and the matrix ran), so the kinds are checked on the
// decoder's metadata.
var tableKinds = map[string]string{
	"fixed": "Hash", "axes": "Hash", "profile": "Hash",
	"include": "ArrayHash", "exclude": "ArrayHash",
}

func (p *parser) checkTableTypes() error {
	for _, key := range topKeys {
		want, ok := tableKinds[key]
		if !ok || !p.md.IsDefined(key) {
			continue
		}
		got := p.md.Type(key)
		// An implicit table ([profile.quick] with no [profile]) has no type;
		// an inline list (include = [{...}]) decoded into []map only if every
		// element was a table.
		if got == want || (want == "Hash" && got == "") || (want == "ArrayHash" && got == "Array") {
			continue
		}
		form := "a table ([" + key + "])"
		if want == "ArrayHash" {
			form = "a list of tables ([[" + key + "]])"
		}
		return p.errAt(key, "want %s, got %s", form, metaTypeName(got))
	}
	return nil
}

func metaTypeName(t string) string {
	switch t {
	case "String":
		return "a string"
	case "Integer":
		return "an integer"
	case "Float":
		return "a float"
	case "Bool":
		return "a bool"
	case "Array":
		return "a list"
	case "Hash":
		return "a table"
	case "ArrayHash":
		return "a list of tables"
	case "Datetime", "DatetimeLocal", "DateLocal", "TimeLocal":
		return "a date/time"
	}
	return t
}

// seedOnce refuses a seed set both by seeds = n and by a scalar (in [fixed],
// a profile or an include entry): the seeds would silently overwrite it, or
// it them, and a cell was labelled "seed=9 seed=1". A seed axis with seeds is
// refused where the axes are read.
func (p *parser) seedOnce(profile string, r resolved) error {
	if r.seeds == 0 {
		return nil
	}
	where := fmt.Sprintf("%s (line %d)", displayKey(r.seedsSrc), p.lines.line(r.seedsSrc))
	for _, a := range r.fixed {
		if a.key == "seed" {
			return p.errAt(a.src, "%s also sets the seed (profile %s); keep one", where, profile)
		}
	}
	for _, inc := range r.include {
		for _, a := range inc.values {
			if a.key == "seed" {
				return p.errAt(a.src, "%s also sets the seed (profile %s); an include entry may not; keep one", where, profile)
			}
		}
	}
	return nil
}
