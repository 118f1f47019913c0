package matrix

import (
	"strconv"
	"strings"
)

// lineIndex maps a key path of a TOML document to the 1-based line that defines
// it, so errors found after decoding (a bad axis value, a cell that fails
// validation) can still name the line. BurntSushi/toml keeps key positions
// private, hence this small scanner. Paths join components with ".": table keys
// by name, array elements and [[array tables]] by 0-based index
// ("axes.dropout.1", "include.0.model", "profile.quick.include.2.resize").
//
// It runs only on documents the real decoder accepted, so it can be lenient
// about malformed input; it never fails, it just finds fewer lines.
type lineIndex map[string]int

// line returns the line of path, or of its nearest ancestor that has one (an
// element of a one-line array lives on its key's line), or 0.
func (ix lineIndex) line(path string) int {
	for {
		if n, ok := ix[path]; ok {
			return n
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

func indexLines(src string) lineIndex {
	s := &lineScanner{src: src, line: 1, ix: lineIndex{}, arrays: map[string]int{}}
	s.document()
	return s.ix
}

type lineScanner struct {
	src    string
	pos    int
	line   int
	ix     lineIndex
	arrays map[string]int // [[array table]] path → elements seen so far
}

func (s *lineScanner) record(path string) {
	if _, seen := s.ix[path]; !seen {
		s.ix[path] = s.line
	}
}

func (s *lineScanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *lineScanner) next() byte {
	c := s.peek()
	if c != 0 {
		s.pos++
		if c == '\n' {
			s.line++
		}
	}
	return c
}

// skip passes blanks, and with newlines also line breaks and comments.
func (s *lineScanner) skip(newlines bool) {
	for s.pos < len(s.src) {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.next()
		case c == '\n' && newlines:
			s.next()
		case c == '#':
			for s.pos < len(s.src) && s.peek() != '\n' {
				s.next()
			}
		default:
			return
		}
	}
}

func (s *lineScanner) document() {
	table := ""
	for {
		s.skip(true)
		if s.pos >= len(s.src) {
			return
		}
		start := s.pos
		if s.peek() == '[' {
			s.next()
			array := s.peek() == '['
			if array {
				s.next()
			}
			name := s.dottedKey()
			for s.pos < len(s.src) && s.peek() != ']' && s.peek() != '\n' {
				s.next()
			}
			s.next()
			if array {
				s.next()
				n := s.arrays[name]
				s.arrays[name] = n + 1
				s.record(name)
				name += "." + strconv.Itoa(n)
			}
			table = name
			s.record(table)
		} else {
			key := s.dottedKey()
			s.skip(false)
			if s.peek() == '=' {
				s.next()
				path := join(table, key)
				s.record(path)
				s.value(path)
			}
		}
		if s.pos == start { // not TOML we understand: give up on this line
			for s.pos < len(s.src) && s.peek() != '\n' {
				s.next()
			}
		}
	}
}

// dottedKey reads `a.b."c d"` and returns it joined with dots.
func (s *lineScanner) dottedKey() string {
	var parts []string
	for {
		s.skip(false)
		var part strings.Builder
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			part.WriteString(s.str())
		default:
			for isBare(s.peek()) {
				part.WriteByte(s.next())
			}
		}
		parts = append(parts, part.String())
		s.skip(false)
		if s.peek() != '.' {
			return strings.Join(parts, ".")
		}
		s.next()
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// str reads a basic, literal or multi-line string and returns its raw body.
func (s *lineScanner) str() string {
	q := s.next()
	triple := strings.HasPrefix(s.src[s.pos:], string([]byte{q, q}))
	if triple {
		s.next()
		s.next()
	}
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.peek()
		if c == '\\' && q == '"' {
			s.next()
			b.WriteByte(s.next())
			continue
		}
		if c == q && (!triple || strings.HasPrefix(s.src[s.pos:], string([]byte{q, q, q}))) {
			s.next()
			if triple {
				s.next()
				s.next()
			}
			return b.String()
		}
		if c == '\n' && !triple {
			return b.String()
		}
		b.WriteByte(s.next())
	}
	return b.String()
}

func (s *lineScanner) value(path string) {
	s.skip(false)
	switch s.peek() {
	case '"', '\'':
		s.str()
	case '[':
		s.next()
		for i := 0; ; i++ {
			s.skip(true)
			if c := s.peek(); c == ']' || c == 0 {
				s.next()
				return
			}
			elem := path + "." + strconv.Itoa(i)
			s.record(elem)
			before := s.pos
			s.value(elem)
			s.skip(true)
			if s.peek() == ',' {
				s.next()
			} else if s.pos == before {
				s.next() // malformed: make progress
			}
		}
	case '{':
		s.next()
		for {
			s.skip(false)
			if c := s.peek(); c == '}' || c == '\n' || c == 0 {
				s.next()
				return
			}
			before := s.pos
			key := s.dottedKey()
			s.skip(false)
			if s.peek() == '=' {
				s.next()
				p := join(path, key)
				s.record(p)
				s.value(p)
			}
			s.skip(false)
			if s.peek() == ',' {
				s.next()
			} else if s.pos == before {
				s.next()
			}
		}
	default:
		for s.pos < len(s.src) {
			switch s.peek() {
			case ',', ']', '}', '\n', '#':
				return
			}
			s.next()
		}
	}
}

func join(table, key string) string {
	if table == "" {
		return key
	}
	return table + "." + key
}
