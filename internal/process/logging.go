package process

import (
	"os"
	"strings"
)

// The plugin SDKs log every gRPC call and every step of the framework at
// TRACE, as JSON lines on the provider's stderr, whatever the CLI's log
// level: the CLI reads each line and drops it unless TF_LOG or
// TF_LOG_PROVIDER asks for provider logs. Under make bench, producing and
// parsing those lines took about a third of the provider's CPU time and a
// large share of the CLI's (see BENCHMARKS.md), on the machine that also
// waits for Graph. So when the CLI that started the provider will drop every
// line anyway, none is produced.

// sdkLogLevelVars are the variables the plugin SDKs read for their own
// logging levels (terraform-plugin-go, -framework and -log), the provider's
// own logger included (TF_LOG_PROVIDER_<NAME>).
var sdkLogLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_MSGRAPH"}

// cliDiscardsProviderLogs mirrors how Terraform and OpenTofu choose the
// level of a provider's logs: TF_LOG_PROVIDER, else TF_LOG; nothing (or
// "off") means every provider log line is dropped. Any other value, even
// an invalid one (which the CLIs take as TRACE), keeps the logs.
func cliDiscardsProviderLogs(getenv func(string) string) bool {
	level := strings.TrimSpace(getenv("TF_LOG_PROVIDER"))
	if level == "" {
		level = strings.TrimSpace(getenv("TF_LOG"))
	}
	return level == "" || strings.EqualFold(level, "off")
}

// silenceLogsTheCLIDiscards turns the SDKs' logging off when the CLI drops
// it. A level set explicitly in any of sdkLogLevelVars is left alone. It is
// not used in debug mode, where the provider's own stderr is read by a
// person rather than by the CLI.
func silenceLogsTheCLIDiscards() {
	if !cliDiscardsProviderLogs(os.Getenv) {
		return
	}
	for _, name := range sdkLogLevelVars {
		if _, set := os.LookupEnv(name); !set {
			_ = os.Setenv(name, "off")
		}
	}
}
