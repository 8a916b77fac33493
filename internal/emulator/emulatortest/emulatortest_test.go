package emulatortest

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const (
	emulatorPath = "github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	importPath   = emulatorPath + "/emulatortest"
)

// get answers the status of a GET of path with token.
func get(t *testing.T, endpoint, path, token string) (int, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func TestStart(t *testing.T) {
	t.Parallel()
	var env *Env
	t.Run("serving", func(t *testing.T) {
		env = Start(t, emulator.Options{})
		for _, tt := range []struct {
			name, path, token string
			want              int
		}{
			{"user reads the Microsoft 365 group", "/groups/" + env.Group.ID, UserToken, http.StatusOK},
			{"application reads the security group", "/groups/" + env.SecurityGroup.ID, AppToken, http.StatusOK},
			{"user lists the group's conversations", "/groups/" + env.Group.ID + "/conversations", UserToken, http.StatusOK},
			{"the security group has no mailbox", "/groups/" + env.SecurityGroup.ID + "/conversations", UserToken, http.StatusNotFound},
			{"another token is refused", "/groups/" + env.Group.ID, "not-a-test-token", http.StatusUnauthorized},
		} {
			if got, err := get(t, env.Endpoint, tt.path, tt.token); err != nil || got != tt.want {
				t.Errorf("%s: GET %s = %d, %v; want %d", tt.name, tt.path, got, err, tt.want)
			}
		}
		if !strings.HasPrefix(env.Endpoint, "http://127.0.0.1:") || !strings.HasSuffix(env.Endpoint, "/v1.0") {
			t.Errorf("endpoint %q is not a loopback /v1.0 URL", env.Endpoint)
		}
	})
	if _, err := get(t, env.Endpoint, "/groups/"+env.Group.ID, UserToken); err == nil {
		t.Errorf("the emulator still answers after its test ended")
	}
}

func TestStartKeepsTheTestsTokens(t *testing.T) {
	t.Parallel()
	tokens := Tokens()
	tokens["extra-token"] = emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	delete(tokens, AppToken)
	env := Start(t, emulator.Options{Tokens: tokens})
	for token, want := range map[string]int{"extra-token": http.StatusOK, UserToken: http.StatusOK, AppToken: http.StatusUnauthorized} {
		if got, err := get(t, env.Endpoint, "/groups/"+env.Group.ID, token); err != nil || got != want {
			t.Errorf("GET with %q = %d, %v; want %d", token, got, err, want)
		}
	}
	if _, ok := Tokens()[AppToken]; !ok {
		t.Errorf("changing the map Tokens returned changed the next one")
	}
}

// Product code never imports this package: only test files do, in the
// default build and in the one make bench measures. And the package itself
// imports only the standard library and the emulator.
func TestOnlyTestsImportIt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	for _, tags := range []string{"", "msgraphbench"} {
		cmd := exec.Command(goCmd, "list", "-tags", tags, "-json=ImportPath,Imports", "./...")
		cmd.Dir = moduleRoot(t, goCmd)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -tags %q: %v", tags, err)
		}
		dec := json.NewDecoder(strings.NewReader(string(out)))
		listed := 0
		for dec.More() {
			var pkg struct {
				ImportPath string
				Imports    []string
			}
			if err := dec.Decode(&pkg); err != nil {
				t.Fatal(err)
			}
			listed++
			for _, imp := range pkg.Imports {
				if imp == importPath {
					t.Errorf("%s (tags %q) imports %s outside its tests", pkg.ImportPath, tags, importPath)
				}
				// This package, like the emulator, stands apart from the
				// code it tests: the standard library and the emulator only.
				if pkg.ImportPath == importPath && strings.Contains(strings.Split(imp, "/")[0], ".") && imp != emulatorPath {
					t.Errorf("%s imports %s: it may import only the standard library and %s", importPath, imp, emulatorPath)
				}
			}
		}
		if listed < 10 {
			t.Fatalf("go list -tags %q listed %d packages: the module was not found", tags, listed)
		}
	}
}

func moduleRoot(t *testing.T, goCmd string) string {
	t.Helper()
	out, err := exec.Command(goCmd, "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
