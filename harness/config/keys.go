package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// field finds the struct field (possibly inside the embedded models.Options)
// whose toml tag is key.
func (c *Config) field(key string) (reflect.Value, bool) {
	v := reflect.ValueOf(c).Elem()
	return findTagged(v, key)
}

func findTagged(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			if fv, ok := findTagged(v.Field(i), key); ok {
				return fv, true
			}
			continue
		}
		if strings.Split(f.Tag.Get("toml"), ",")[0] == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// Keys lists every config key, sorted.
func Keys() []string {
	var keys []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			keys = append(keys, strings.Split(f.Tag.Get("toml"), ",")[0])
		}
	}
	walk(reflect.TypeOf(Config{}))
	sort.Strings(keys)
	return keys
}

// IsKey tells whether key names a config field.
func IsKey(key string) bool {
	var c Config
	_, ok := c.field(key)
	return ok
}

// Get returns the value of key.
func (c Config) Get(key string) (any, error) {
	fv, ok := c.field(key)
	if !ok {
		return nil, fmt.Errorf("unknown key %q", key)
	}
	return fv.Interface(), nil
}

// Set assigns value to key. value may be the Go type TOML decodes to (string,
// int64, float64, bool) or a string as typed on a command line. Whole floats are
// accepted for integer keys; anything else of the wrong type is an error naming the key.
func (c *Config) Set(key string, value any) error {
	fv, ok := c.field(key)
	if !ok {
		return &KeyError{Key: key, Err: fmt.Errorf("unknown key (known: %s)", strings.Join(Keys(), ", "))}
	}
	bad := func(want string) error {
		return &KeyError{Key: key, Err: fmt.Errorf("want %s, got %T %v", want, value, value)}
	}
	switch fv.Kind() {
	case reflect.String:
		s, ok := value.(string)
		if !ok {
			return bad("a string")
		}
		fv.SetString(s)
	case reflect.Bool:
		switch x := value.(type) {
		case bool:
			fv.SetBool(x)
		case string:
			b, err := strconv.ParseBool(x)
			if err != nil {
				return bad("true or false")
			}
			fv.SetBool(b)
		default:
			return bad("true or false")
		}
	case reflect.Int, reflect.Int64:
		switch x := value.(type) {
		case int64:
			fv.SetInt(x)
		case int:
			fv.SetInt(int64(x))
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return bad("an integer")
			}
			fv.SetInt(int64(x))
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return bad("an integer")
			}
			fv.SetInt(n)
		default:
			return bad("an integer")
		}
	case reflect.Float64:
		switch x := value.(type) {
		case float64:
			fv.SetFloat(x)
		case int64:
			fv.SetFloat(float64(x))
		case int:
			fv.SetFloat(float64(x))
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return bad("a number")
			}
			fv.SetFloat(f)
		default:
			return bad("a number")
		}
		// NaN passes every range check written as "bad if x < lo || x > hi"
		// and cannot be encoded in a cell's key or summary: refuse it here,
		// where flags and TOML values alike enter.
		if f := fv.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return &KeyError{Key: key, Err: fmt.Errorf("%v is not a finite number", f)}
		}
	default:
		return fmt.Errorf("config: key %q has unsupported kind %s", key, fv.Kind())
	}
	return nil
}
