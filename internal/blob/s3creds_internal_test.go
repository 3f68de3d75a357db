package blob

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
)

// TestAWSCredentialChain: each source of awsConfig's chain, in its order,
// and the region's precedence. Every AWS_ variable is cleared first and the
// shared files point into a temp dir, so the machine's own setup never
// decides a case.
func TestAWSCredentialChain(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	creds := write("credentials", "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = defaultsecret\n\n"+
		"[other]\naws_access_key_id = OTHERKEY\naws_secret_access_key = othersecret\n")
	conf := write("config", "[default]\nregion = eu-west-3\n\n[profile other]\nregion = ap-south-1\n\n"+
		"[profile web]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = /token\n")
	token := write("token", "jwt")
	empty := write("empty", "")

	type want struct {
		provider string // the provider's type, or the static key
		region   string
		err      string
	}
	cases := []struct {
		name      string
		env       map[string]string
		region    string
		profile   string
		anonymous bool
		want      want
	}{
		{"anonymous wins over keys", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "s"}, "", "", true,
			want{provider: "aws.AnonymousCredentials", region: "eu-west-3"}},
		{"environment keys before the shared files", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "s"}, "", "", false,
			want{provider: "ENVKEY", region: "eu-west-3"}},
		{"the default profile's keys", nil, "", "", false, want{provider: "DEFAULTKEY", region: "eu-west-3"}},
		{"profile= names the profile", nil, "", "other", false, want{provider: "OTHERKEY", region: "ap-south-1"}},
		{"AWS_PROFILE names it too", map[string]string{"AWS_PROFILE": "other"}, "", "", false, want{provider: "OTHERKEY", region: "ap-south-1"}},
		{"region= before the environment and the profile", map[string]string{"AWS_REGION": "us-east-2"}, "ca-central-1", "other", false,
			want{provider: "OTHERKEY", region: "ca-central-1"}},
		{"AWS_REGION before the profile", map[string]string{"AWS_REGION": "us-east-2"}, "", "", false, want{provider: "DEFAULTKEY", region: "us-east-2"}},
		{"an unknown profile named is an error", nil, "", "nosuch", false, want{err: "nosuch"}},
		{"web identity from the environment", map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::1:role/x",
			"AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_CONFIG_FILE": empty}, "eu-north-1", "", false, want{provider: "stscreds.WebIdentityRoleProvider", region: "eu-north-1"}},
		{"web identity from the profile", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": empty}, "eu-north-1", "web", false,
			want{provider: "stscreds.WebIdentityRoleProvider", region: "eu-north-1"}},
		{"the ECS container endpoint", map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
			"AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_CONFIG_FILE": empty}, "", "", false, want{provider: "endpointcreds.Provider"}},
		{"a full container endpoint", map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
			"AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_CONFIG_FILE": empty}, "", "", false, want{provider: "endpointcreds.Provider"}},
		{"no shared files at all (a container)", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
			"AWS_CONFIG_FILE": filepath.Join(dir, "none")}, "", "", false, want{provider: "ec2rolecreds.Provider"}},
		{"else the EC2 instance role", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_CONFIG_FILE": empty}, "", "", false,
			want{provider: "ec2rolecreds.Provider"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
			}
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
			t.Setenv("AWS_CONFIG_FILE", conf)
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			cfg, err := awsConfig(context.Background(), c.region, c.profile, c.anonymous)
			if c.want.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.want.err) {
					t.Fatalf("error %v, want one naming %q", err, c.want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != c.want.region {
				t.Errorf("region %q, want %q", cfg.Region, c.want.region)
			}
			if got := providerName(cfg.Credentials); got != c.want.provider {
				t.Errorf("credentials from %s, want %s", got, c.want.provider)
			}
		})
	}
}

// providerName is a static provider's key, else the provider's type (under
// the cache, if cached).
func providerName(p aws.CredentialsProvider) string {
	if c, ok := p.(*aws.CredentialsCache); ok {
		for name, target := range map[string]aws.CredentialsProvider{
			"stscreds.WebIdentityRoleProvider": &stscreds.WebIdentityRoleProvider{},
			"endpointcreds.Provider":           &endpointcreds.Provider{},
			"ec2rolecreds.Provider":            &ec2rolecreds.Provider{},
		} {
			if c.IsCredentialsProvider(target) {
				return name
			}
		}
		return "an unknown cached provider"
	}
	switch v := p.(type) {
	case credentials.StaticCredentialsProvider:
		return v.Value.AccessKeyID
	case aws.AnonymousCredentials:
		return "aws.AnonymousCredentials"
	}
	return reflect.TypeOf(p).String()
}

// TestAWSSharedFiles: the shared files as the SDK reads them: comments,
// sub-sections skipped, [default] or [profile default] in the config file,
// the credentials file's keys winning over the config file's.
func TestAWSSharedFiles(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(conf, []byte("# comment\n[profile default]\nregion = eu-west-1\n"+
		"aws_access_key_id = CONFKEY\naws_secret_access_key = confsecret\ns3 =\n  region = nested\n; other\n"+
		"[  profile   two ]\nRegion=us-west-2\nrole_arn = arn:aws:iam::1:role/two\n[sso-session x]\nregion = no\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = credsecret\n"+
		"aws_session_token = tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := loadAWSProfile("default", conf, creds)
	if err != nil {
		t.Fatal(err)
	}
	if p.region != "eu-west-1" || p.creds.AccessKeyID != "CREDKEY" || p.creds.SecretAccessKey != "credsecret" || p.creds.SessionToken != "tok" {
		t.Errorf("default: %+v", p)
	}
	p, err = loadAWSProfile("two", conf, creds)
	if err != nil || p.region != "us-west-2" || p.roleARN != "arn:aws:iam::1:role/two" || p.creds.HasKeys() {
		t.Errorf("two: %+v, %v", p, err)
	}
	if _, err := loadAWSProfile("x", conf, creds); !errors.Is(err, errNoProfile) {
		t.Errorf("a profile named as another kind of section: %v", err)
	}
	if _, err := loadAWSProfile("default", filepath.Join(dir, "none"), filepath.Join(dir, "none")); !errors.Is(err, errNoProfile) {
		t.Errorf("no files: %v", err)
	}
	t.Setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED")
	t.Setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_supported")
	e, err := readAWSEnv()
	if err != nil || e.requestChecksum != aws.RequestChecksumCalculationWhenRequired || e.responseChecksum != aws.ResponseChecksumValidationWhenSupported {
		t.Errorf("checksum settings: %+v, %v", e, err)
	}
	t.Setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "sometimes")
	if _, err := readAWSEnv(); err == nil {
		t.Error("an invalid checksum setting was accepted")
	}
}
