package backend

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestComposeXLAFlags(t *testing.T) {
	tests := []struct {
		name, existing, dataDir string
		extra                   []string
		want                    string
	}{
		{"nothing", "", "", nil, ""},
		{"extra only", "", "", []string{"--xla_gpu_autotune_level=1"}, "--xla_gpu_autotune_level=1"},
		{"user flags kept first", "--xla_dump_to=/tmp/d", "", []string{"--xla_gpu_autotune_level=1"}, "--xla_dump_to=/tmp/d --xla_gpu_autotune_level=1"},
		{"data dir added", "", "/x/nvidia", nil, "--xla_gpu_cuda_data_dir=/x/nvidia"},
		{"user's data dir wins", "--xla_gpu_cuda_data_dir=/mine", "/x/nvidia", nil, "--xla_gpu_cuda_data_dir=/mine"},
		{"second open repeats nothing", "--xla_gpu_cuda_data_dir=/x/nvidia --xla_gpu_autotune_level=1", "/x/nvidia", []string{"--xla_gpu_autotune_level=1"},
			"--xla_gpu_cuda_data_dir=/x/nvidia --xla_gpu_autotune_level=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := composeXLAFlags(tc.existing, tc.dataDir, tc.extra); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		in        string
		wantNames []string
		wantErr   string
	}{
		{"", nil, ""},
		{"  --xla_gpu_autotune_level=0   --xla_gpu_enable_triton_gemm=false ", []string{"xla_gpu_autotune_level", "xla_gpu_enable_triton_gemm"}, ""},
		{"--xla_dump_hlo_as_text", []string{"xla_dump_hlo_as_text"}, ""},
		{"xla_gpu_autotune_level=0", nil, `"xla_gpu_autotune_level=0" is not an XLA flag`},
		{"--xla_gpu_autotune_level=0 -v", nil, `"-v" is not an XLA flag`},
		{"--tf_xla_auto_jit=2", nil, `"--tf_xla_auto_jit=2" is not an XLA flag`},
	}
	for _, tc := range tests {
		_, names, err := parseFlags(ExtraFlagsEnv, tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), ExtraFlagsEnv) {
				t.Errorf("parseFlags(%q) error = %v, want one naming %s and containing %s", tc.in, err, ExtraFlagsEnv, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(names, tc.wantNames) {
			t.Errorf("parseFlags(%q) = %v, %v; want %v", tc.in, names, err, tc.wantNames)
		}
	}
}

func TestUnknownFlags(t *testing.T) {
	// A fake plugin binary: flag names as NUL-terminated strings, one of them
	// straddling the 4 MiB read boundary.
	var b []byte
	b = append(b, "\x00xla_gpu_autotune_level\x00"...)
	b = append(b, make([]byte, 4<<20-len(b)-10)...)
	b = append(b, "xla_dump_to\x00xla_gpu_enable_triton_gemm\x00"...)
	p := filepath.Join(t.TempDir(), "plugin.so")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := unknownFlags(p, []string{"xla_gpu_autotune_level", "xla_dump_to", "xla_gpu_enable_triton_gemm", "xla_gpu_autotune_levle"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"xla_gpu_autotune_levle"}) {
		t.Fatalf("unknownFlags = %v, want only the typo", got)
	}
	if _, err := unknownFlags(filepath.Join(t.TempDir(), "missing.so"), []string{"xla_x"}); err == nil || !strings.Contains(err.Error(), "missing.so") {
		t.Fatalf("missing plugin: err = %v", err)
	}
}
