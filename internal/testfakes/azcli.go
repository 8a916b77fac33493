package testfakes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// AzureCLI is a fake `az` executable. It answers
// `az account get-access-token -o json …` with the JSON the real CLI prints,
// and records the arguments of every call.
type AzureCLI struct {
	// Dir holds the executable; InstallAzureCLI puts it first on PATH.
	Dir      string
	Token    string
	argsFile string
}

// DelegatedToken is an unsigned JWT shaped like a user's token (idtyp
// "user", scp), the kind `az login` yields.
func DelegatedToken(name string) string {
	return UnsignedJWT(map[string]any{
		"aud": "https://graph.microsoft.com", "idtyp": "user", "scp": "Group.ReadWrite.All User.Read",
		"name": name, "jti": randomHex(16),
	})
}

// InstallAzureCLI writes a fake az that prints token, and puts it first on
// PATH. It changes the process environment, so the test cannot be parallel.
// With loggedIn false, az fails as the real one does before `az login`.
func InstallAzureCLI(t *testing.T, token string, loggedIn bool) *AzureCLI {
	t.Helper()
	dir := t.TempDir()
	cli := &AzureCLI{Dir: dir, Token: token, argsFile: filepath.Join(dir, "calls.txt")}
	answer, err := json.Marshal(map[string]any{
		"accessToken":  token,
		"expiresOn":    time.Now().Add(time.Hour).Format("2006-01-02 15:04:05.000000"),
		"expires_on":   time.Now().Add(time.Hour).Unix(),
		"subscription": "00000000-0000-0000-0000-000000000000",
		"tenant":       "72f988bf-0000-41af-91ab-2d7cd011db47",
		"tokenType":    "Bearer",
	})
	if err != nil {
		t.Fatal(err)
	}
	answerFile := filepath.Join(dir, "token.json")
	if err := os.WriteFile(answerFile, answer, 0o600); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + shellQuote(cli.argsFile) + "\n"
	if loggedIn {
		script += "cat " + shellQuote(answerFile) + "\n"
	} else {
		script += "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return cli
}

// Calls returns the arguments of each call so far, one string per call.
func (c *AzureCLI) Calls() []string {
	data, err := os.ReadFile(c.argsFile)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
