package blob

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The AWS environment variables and shared files awsConfig reads, parsed
// here rather than by the SDK's config package: that package imports the
// SSO, SSO-OIDC, sign-in and STS clients, whose package initialisation
// (endpoint tables, regexps) runs at every start, S3 configured or not, for
// about 0.6 MB of an idle server's resident memory (issue 11).

// awsEnv holds the variables, under the SDK's names.
type awsEnv struct {
	profile, configFile, credentialsFile, region string
	creds                                        aws.Credentials
	webIdentityTokenFile, roleARN, roleSession   string
	containerRelative, containerFull             string
	containerToken                               string
	requestChecksum                              aws.RequestChecksumCalculation
	responseChecksum                             aws.ResponseChecksumValidation
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func readAWSEnv() (awsEnv, error) {
	e := awsEnv{
		profile:              firstEnv("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
		configFile:           os.Getenv("AWS_CONFIG_FILE"),
		credentialsFile:      os.Getenv("AWS_SHARED_CREDENTIALS_FILE"),
		region:               firstEnv("AWS_REGION", "AWS_DEFAULT_REGION"),
		webIdentityTokenFile: os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE"),
		roleARN:              os.Getenv("AWS_ROLE_ARN"),
		roleSession:          os.Getenv("AWS_ROLE_SESSION_NAME"),
		containerRelative:    os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
		containerFull:        os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
		containerToken:       os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
	}
	id, secret := firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"), firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if id != "" && secret != "" {
		e.creds = aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
			AccountID: os.Getenv("AWS_ACCOUNT_ID"), Source: "EnvConfigCredentials"}
	}
	for _, c := range []struct {
		name      string
		supported func()
		required  func()
	}{
		{"AWS_REQUEST_CHECKSUM_CALCULATION",
			func() { e.requestChecksum = aws.RequestChecksumCalculationWhenSupported },
			func() { e.requestChecksum = aws.RequestChecksumCalculationWhenRequired }},
		{"AWS_RESPONSE_CHECKSUM_VALIDATION",
			func() { e.responseChecksum = aws.ResponseChecksumValidationWhenSupported },
			func() { e.responseChecksum = aws.ResponseChecksumValidationWhenRequired }},
	} {
		switch v := os.Getenv(c.name); strings.ToLower(v) {
		case "":
		case "when_supported":
			c.supported()
		case "when_required":
			c.required()
		default:
			return awsEnv{}, fmt.Errorf("%s=%s: must be when_supported or when_required", c.name, v)
		}
	}
	return e, nil
}

// awsProfile is what awsConfig uses of a profile in the shared files.
type awsProfile struct {
	region                                     string
	creds                                      aws.Credentials
	webIdentityTokenFile, roleARN, roleSession string
}

// errNoProfile: neither shared file has the profile.
var errNoProfile = errors.New("no such profile in the shared AWS files")

// loadAWSProfile reads the profile from the config file ([profile name], or
// [default]) and the credentials file ([name]), whose keys win. A missing
// file is no error. Indented lines (sub-sections such as "s3 =") are skipped.
func loadAWSProfile(name, configFile, credentialsFile string) (awsProfile, error) {
	home, _ := os.UserHomeDir()
	if configFile == "" {
		configFile = filepath.Join(home, ".aws", "config")
	}
	if credentialsFile == "" {
		credentialsFile = filepath.Join(home, ".aws", "credentials")
	}
	confSections := []string{"profile " + name}
	if name == "default" {
		confSections = append(confSections, "default")
	}
	keys := map[string]string{}
	found := false
	for _, f := range []struct {
		path     string
		sections []string
	}{
		{configFile, confSections},
		{credentialsFile, []string{name}},
	} {
		ok, err := readINISection(f.path, f.sections, keys)
		if err != nil {
			return awsProfile{}, err
		}
		found = found || ok
	}
	if !found {
		return awsProfile{}, fmt.Errorf("profile %q: %w", name, errNoProfile)
	}
	p := awsProfile{region: keys["region"], webIdentityTokenFile: keys["web_identity_token_file"], roleARN: keys["role_arn"],
		roleSession: keys["role_session_name"]}
	if keys["aws_access_key_id"] != "" && keys["aws_secret_access_key"] != "" {
		p.creds = aws.Credentials{AccessKeyID: keys["aws_access_key_id"], SecretAccessKey: keys["aws_secret_access_key"],
			SessionToken: keys["aws_session_token"], AccountID: keys["aws_account_id"], Source: "SharedConfigCredentials: " + credentialsFile}
	}
	return p, nil
}

// readINISection copies into keys the keys of the first of sections found
// in the file (later files override earlier ones), and says if it found one.
func readINISection(path string, sections []string, keys map[string]string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("aws shared file: %w", err)
	}
	defer f.Close()
	found, in := "", false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			sec := strings.Join(strings.Fields(line[1:len(line)-1]), " ")
			in = sec != "" && (found == "" && slices.Contains(sections, sec) || sec == found)
			if in {
				found = sec
			}
			continue
		case !in || raw[0] == ' ' || raw[0] == '\t':
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			keys[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("aws shared file %s: %w", path, err)
	}
	return found != "", nil
}
