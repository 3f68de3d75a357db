// Package smtpouttest makes throwaway TLS certificates for relay tests: a CA,
// and a server certificate for 127.0.0.1 signed by it.
package smtpouttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a test certificate authority and one server certificate it signed.
type CA struct {
	CertPEM       []byte // the CA certificate
	ServerCertPEM []byte // for localhost, 127.0.0.1 and ::1
	ServerKeyPEM  []byte
	Server        tls.Certificate
	CAFile        string // CertPEM written to a file
	ServerCert    string // ServerCertPEM written to a file
	ServerKey     string // ServerKeyPEM written to a file
}

// NewCA makes a CA and a server certificate, written under t.TempDir().
func NewCA(t testing.TB) *CA {
	t.Helper()
	caTpl := template(1, "Ticketer test CA")
	caTpl.IsCA, caTpl.BasicConstraintsValid, caTpl.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	caPEM, _, caCert, caKey := issue(t, caTpl, nil, nil)
	tpl := template(2, "localhost")
	tpl.DNSNames, tpl.IPAddresses = []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	certPEM, keyPEM, _, _ := issue(t, tpl, caCert, caKey)
	ca := &CA{CertPEM: caPEM, ServerCertPEM: certPEM, ServerKeyPEM: keyPEM}
	var err error
	if ca.Server, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca.CAFile, ca.ServerCert, ca.ServerKey = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	for path, b := range map[string][]byte{ca.CAFile: ca.CertPEM, ca.ServerCert: ca.ServerCertPEM, ca.ServerKey: ca.ServerKeyPEM} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ca
}

// SelfSigned is a server certificate that nobody signed, like the one a
// stock MTA installs (for mail.example, so it matches no test address).
func SelfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	certPEM, keyPEM := SelfSignedPEM(t)
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SelfSignedPEM is SelfSigned as PEM certificate and key.
func SelfSignedPEM(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	tpl := template(3, "mail.example")
	tpl.DNSNames = []string{"mail.example"}
	certPEM, keyPEM, _, _ = issue(t, tpl, nil, nil)
	return certPEM, keyPEM
}

// template is a server certificate valid around now.
func template(serial int64, name string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
}

// issue makes a key and signs tpl with parent (nil: self-signed).
func issue(t testing.TB, tpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, cert *x509.Certificate, key *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), cert, key
}
