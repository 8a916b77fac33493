package process

import "testing"

func TestCLIDiscardsProviderLogs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env     map[string]string
		discard bool
	}{
		{env: nil, discard: true},
		{env: map[string]string{"TF_LOG": "off"}, discard: true},
		{env: map[string]string{"TF_LOG": " OFF "}, discard: true},
		{env: map[string]string{"TF_LOG": "debug"}, discard: false},
		{env: map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "off"}, discard: true},
		{env: map[string]string{"TF_LOG_PROVIDER": "info"}, discard: false},
		{env: map[string]string{"TF_LOG": "off", "TF_LOG_PROVIDER": "trace"}, discard: false},
		// The CLIs take an unknown level as TRACE.
		{env: map[string]string{"TF_LOG": "1"}, discard: false},
		// TF_LOG_PATH alone logs nothing.
		{env: map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, discard: true},
	} {
		if got := cliDiscardsProviderLogs(func(k string) string { return tc.env[k] }); got != tc.discard {
			t.Errorf("env %v: cliDiscardsProviderLogs = %v, want %v", tc.env, got, tc.discard)
		}
	}
}
