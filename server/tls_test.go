package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

// With a certificate the server speaks TLS, and HTTP/2 is negotiated by
// ALPN, so gRPC works over it.
func TestTLSServesGRPCOverHTTP2(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	r := start(t, &servertest.Core{}, func(o *server.Options) {
		o.TLSCertFile, o.TLSKeyFile = certFile, keyFile
	})
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	httpsURL := "https://" + r.url[len("http://"):]
	client := switchboardv1connect.NewCompletionServiceClient(&http.Client{Transport: tr}, httpsURL, connect.WithGRPC())
	resp, err := client.Complete(context.Background(), withKey(completeMsg(), r.auth.Secret))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Msg.GetChoices()[0].GetMessage().GetContent()[0].GetText() != "hello" {
		t.Fatalf("response %v", resp.Msg)
	}
	// Plain HTTP is refused on a TLS port.
	if _, err := completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret)); err == nil {
		t.Fatal("plain-text call to a TLS server succeeded")
	}
}

func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}
