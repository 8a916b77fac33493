package testfakes

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Certificate is a self-signed app registration certificate with its key, in
// the forms users hand the provider.
type Certificate struct {
	Certificate *x509.Certificate
	// PFX is a PKCS#12 bundle of the certificate and key, encrypted with
	// Password. It uses the legacy 3DES algorithms: those are what
	// azidentity's decoder (golang.org/x/crypto/pkcs12) reads, and what
	// "az ad sp create-for-rbac --create-cert" and Windows produce.
	PFX      []byte
	Password string
	// PEM holds the certificate and the unencrypted PKCS#8 key.
	PEM []byte
}

// PFXBase64 is PFX as client_certificate takes it.
func (c *Certificate) PFXBase64() string { return base64.StdEncoding.EncodeToString(c.PFX) }

// NewCertificate generates a certificate and a 2048-bit RSA key.
func NewCertificate(t *testing.T) *Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "terraform-provider-msgraph test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	password := "fake-pfx-password-" + randomHex(8)
	pfx, err := pkcs12.LegacyDES.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	return &Certificate{Certificate: cert, PFX: pfx, Password: password, PEM: pemData}
}
