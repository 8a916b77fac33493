// Package testfakes holds stand-ins for the identity services the provider
// signs in with, for tests that must run without a network or a tenant: a
// fake Microsoft Entra token endpoint, a CI system's OIDC token issuer, an App
// Service managed identity endpoint, and a fake Azure CLI; and a static
// bearer token credential for tests that build a Graph client directly.
package testfakes

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Grant names what the fake identity service was asked for.
type Grant string

// Grants the fake serves.
const (
	GrantClientSecret      Grant = "client_secret"
	GrantClientCertificate Grant = "client_certificate"
	GrantFederated         Grant = "federated"
	GrantManagedIdentity   Grant = "managed_identity"
	GrantOIDCRequest       Grant = "oidc_request"
)

// Request is one token request the fake answered.
type Request struct {
	Grant Grant
	// Scope is the OAuth scope (token endpoint) or resource (managed
	// identity) asked for; for an OIDC request, the audience.
	Scope string
	// ClientID is the client asking, or the user-assigned identity.
	ClientID string
}

// Identity is a fake Microsoft identity platform on loopback over TLS. Every
// credential and every issued token is random per fake, so a test can look
// for them in logs and be sure what it finds came from this fake.
type Identity struct {
	TenantID string
	ClientID string

	ClientSecret string
	// Certificate is the app registration's certificate; client
	// assertions must be signed by its key.
	Certificate *x509.Certificate
	// FederatedToken is the ID token the fake CI system issues and the
	// fake Entra accepts as a federated client assertion.
	FederatedToken string
	// RequestToken is the bearer token the fake CI system expects on an
	// OIDC token request (GitHub's ACTIONS_ID_TOKEN_REQUEST_TOKEN).
	RequestToken string
	// IdentityHeader is the App Service managed identity secret
	// (IDENTITY_HEADER).
	IdentityHeader string

	// Tokens are the access tokens issued for each grant: unsigned JWTs
	// shaped like application tokens (idtyp "app", roles, no scp), which is
	// what Microsoft Entra issues to all of these methods.
	Tokens map[Grant]string

	server *httptest.Server
	mu     sync.Mutex
	log    []Request
}

// NewIdentity starts a fake whose app registration uses cert.
func NewIdentity(t *testing.T, cert *Certificate) *Identity {
	t.Helper()
	f := &Identity{
		TenantID:       "72f988bf-" + randomHex(2) + "-41af-91ab-2d7cd011db47",
		ClientID:       "11111111-" + randomHex(2) + "-4000-8000-000000000001",
		ClientSecret:   "fake-secret-" + randomHex(16),
		FederatedToken: UnsignedJWT(map[string]any{"iss": "https://token.actions.example", "sub": "repo:contoso/infra:ref:refs/heads/main", "aud": "api://AzureADTokenExchange", "jti": randomHex(16)}),
		RequestToken:   "fake-request-token-" + randomHex(16),
		IdentityHeader: "fake-identity-header-" + randomHex(16),
		Tokens:         map[Grant]string{},
	}
	if cert != nil {
		f.Certificate = cert.Certificate
	}
	for _, g := range []Grant{GrantClientSecret, GrantClientCertificate, GrantFederated, GrantManagedIdentity} {
		f.Tokens[g] = UnsignedJWT(map[string]any{
			"aud": "https://graph.microsoft.com", "idtyp": "app", "roles": []string{"Group.ReadWrite.All"},
			"appid": f.ClientID, "grant": string(g), "jti": randomHex(16),
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", f.token)
	mux.HandleFunc("GET /oidc/request", f.oidcRequest)
	mux.HandleFunc("GET /msi/token", f.managedIdentity)
	f.server = httptest.NewTLSServer(mux)
	t.Cleanup(f.server.Close)
	return f
}

// Client is an HTTP client that trusts the fake's test CA; hand it to
// azidentity as ClientOptions.Transport.
func (f *Identity) Client() *http.Client { return f.server.Client() }

// AuthorityHost is the fake's login endpoint.
func (f *Identity) AuthorityHost() string { return f.server.URL + "/" }

// OIDCRequestURL is the fake CI system's token request URL.
func (f *Identity) OIDCRequestURL() string { return f.server.URL + "/oidc/request?api-version=2.0" }

// ManagedIdentityEndpoint is the fake App Service identity endpoint
// (IDENTITY_ENDPOINT).
func (f *Identity) ManagedIdentityEndpoint() string { return f.server.URL + "/msi/token" }

// SetManagedIdentityEnv points azidentity's managed identity credential at
// the fake, as App Service does with IDENTITY_ENDPOINT and IDENTITY_HEADER.
// It sets process environment variables, so the test cannot be parallel.
func (f *Identity) SetManagedIdentityEnv(t *testing.T) {
	t.Setenv("IDENTITY_ENDPOINT", f.ManagedIdentityEndpoint())
	t.Setenv("IDENTITY_HEADER", f.IdentityHeader)
	// These would make azidentity pick another managed identity source.
	for _, env := range []string{"IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"} {
		t.Setenv(env, "")
	}
}

// Requests returns the requests answered so far.
func (f *Identity) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

func (f *Identity) record(r Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, r)
}

func (f *Identity) tenantBase(r *http.Request) string {
	return f.server.URL + "/" + r.PathValue("tenant")
}

// discovery answers the tenant metadata MSAL reads before its first token
// request.
func (f *Identity) discovery(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("tenant") != f.TenantID {
		writeOAuthError(w, http.StatusBadRequest, "invalid_tenant", "AADSTS90002: Tenant not found.")
		return
	}
	base := f.tenantBase(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"authorization_endpoint": base + "/oauth2/v2.0/authorize",
		"token_endpoint":         base + "/oauth2/v2.0/token",
		"issuer":                 base + "/v2.0",
	})
}

// token is the client credentials grant, with a secret, a certificate-signed
// assertion or a federated assertion.
func (f *Identity) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must be form-encoded.")
		return
	}
	form := r.PostForm
	switch {
	case r.PathValue("tenant") != f.TenantID:
		writeOAuthError(w, http.StatusBadRequest, "invalid_tenant", "AADSTS90002: Tenant not found.")
		return
	case form.Get("grant_type") != "client_credentials":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The grant type is not supported.")
		return
	case form.Get("client_id") != f.ClientID:
		writeOAuthError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application not found in the directory.")
		return
	}
	var grant Grant
	switch assertion := form.Get("client_assertion"); {
	case form.Has("client_secret"):
		if form.Get("client_secret") != f.ClientSecret {
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
			return
		}
		grant = GrantClientSecret
	case form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000218: The request body must contain client_assertion or client_secret.")
		return
	case assertion == f.FederatedToken:
		grant = GrantFederated
	default:
		if err := f.verifyCertificateAssertion(assertion, f.tenantBase(r)+"/oauth2/v2.0/token"); err != nil {
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS700027: Client assertion failed signature validation: "+err.Error())
			return
		}
		grant = GrantClientCertificate
	}
	f.record(Request{Grant: grant, Scope: form.Get("scope"), ClientID: form.Get("client_id")})
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": f.Tokens[grant],
	})
}

// verifyCertificateAssertion checks a client assertion the way Entra does:
// signed by the registered certificate's key, naming the certificate by
// thumbprint, issued by the client for this token endpoint, not expired.
func (f *Identity) verifyCertificateAssertion(assertion, tokenEndpoint string) error {
	if f.Certificate == nil {
		return fmt.Errorf("no certificate is registered")
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	var header struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Aud string `json:"aud"`
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return err
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return err
	}
	sha256Thumb := sha256.Sum256(f.Certificate.Raw)
	sha1Thumb := sha1.Sum(f.Certificate.Raw)
	if !thumbprintIs(header.X5tS256, sha256Thumb[:]) && !thumbprintIs(header.X5t, sha1Thumb[:]) {
		return fmt.Errorf("the thumbprint names another certificate")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	pub, ok := f.Certificate.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("the certificate has no RSA key")
	}
	switch header.Alg {
	case "PS256":
		err = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	case "RS256":
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	default:
		err = fmt.Errorf("unexpected alg %q", header.Alg)
	}
	if err != nil {
		return err
	}
	switch {
	case claims.Aud != tokenEndpoint:
		return fmt.Errorf("aud %q is not this token endpoint", claims.Aud)
	case claims.Iss != f.ClientID || claims.Sub != f.ClientID:
		return fmt.Errorf("iss and sub must be the client id")
	case time.Unix(claims.Exp, 0).Before(time.Now()):
		return fmt.Errorf("the assertion expired")
	}
	return nil
}

// oidcRequest is the GitHub Actions ID token endpoint.
func (f *Identity) oidcRequest(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.RequestToken {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials"})
		return
	}
	f.record(Request{Grant: GrantOIDCRequest, Scope: r.URL.Query().Get("audience")})
	writeJSON(w, http.StatusOK, map[string]any{"count": 1, "value": f.FederatedToken})
}

// managedIdentity is App Service's identity endpoint (api-version
// 2019-08-01): the secret in X-IDENTITY-HEADER, the resource in the query.
func (f *Identity) managedIdentity(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-IDENTITY-HEADER") != f.IdentityHeader {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Unauthorized"})
		return
	}
	q := r.URL.Query()
	if q.Get("resource") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "resource is required"})
		return
	}
	f.record(Request{Grant: GrantManagedIdentity, Scope: q.Get("resource"), ClientID: q.Get("client_id")})
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": f.Tokens[GrantManagedIdentity],
		"expires_on":   strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
		"resource":     q.Get("resource"),
		"token_type":   "Bearer",
	})
}

// UnsignedJWT builds a JWT with alg "none": enough for code that reads
// claims, which is all the provider does with tokens.
func UnsignedJWT(claims map[string]any) string {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return header + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
}

// thumbprintIs compares a JWT thumbprint header with a digest. RFC 7515 says
// base64url; MSAL sends standard base64, which Entra accepts too.
func thumbprintIs(header string, digest []byte) bool {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if got, err := enc.DecodeString(header); err == nil && string(got) == string(digest) {
			return true
		}
	}
	return false
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description, "error_codes": []int{0}})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
