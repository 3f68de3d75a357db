package blob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Params are the options an s3:// URL may carry (the names gocloud.dev
// used, so URLs written for earlier releases keep working):
//
//	region                        the bucket's region
//	endpoint                      an S3-compatible server: https://s3.example
//	use_path_style                true: bucket in the path, not the host name
//	disable_https                 true: plain HTTP to the default endpoint
//	profile                       a profile of the AWS shared config files
//	anonymous                     true: unsigned requests
//	request_checksum_calculation  when_supported (default) or when_required
//	response_checksum_validation  when_supported (default) or when_required
//
// Credentials come from the chain in awsConfig (s3creds.go): AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY, the shared files' static keys, web identity,
// ECS or EC2 roles.
var s3Params = []string{"region", "endpoint", "use_path_style", "disable_https", "profile", "anonymous",
	"request_checksum_calculation", "response_checksum_validation"}

func openS3(ctx context.Context, u *url.URL) (*s3.Client, error) {
	if u.Host == "" {
		return nil, errors.New("no bucket")
	}
	q := u.Query()
	for name := range q {
		if !slices.Contains(s3Params, name) {
			return nil, fmt.Errorf("unknown option %q (known: %v)", name, s3Params)
		}
	}
	flag := func(name string) (bool, error) {
		if q.Get(name) == "" {
			return false, nil
		}
		b, err := strconv.ParseBool(q.Get(name))
		if err != nil {
			return false, fmt.Errorf("%s=%q: %w", name, q.Get(name), err)
		}
		return b, nil
	}
	checksums := func(name string) (aws.RequestChecksumCalculation, error) {
		switch q.Get(name) {
		case "":
			return aws.RequestChecksumCalculationUnset, nil // the SDK's default, or its environment variable
		case "when_supported":
			return aws.RequestChecksumCalculationWhenSupported, nil
		case "when_required":
			return aws.RequestChecksumCalculationWhenRequired, nil
		}
		return 0, fmt.Errorf("%s=%q: want when_supported or when_required", name, q.Get(name))
	}
	req, err := checksums("request_checksum_calculation")
	if err != nil {
		return nil, err
	}
	resp, err := checksums("response_checksum_validation")
	if err != nil {
		return nil, err
	}
	flags := map[string]bool{}
	for _, name := range []string{"anonymous", "use_path_style", "disable_https"} {
		if flags[name], err = flag(name); err != nil {
			return nil, err
		}
	}
	cfg, err := awsConfig(ctx, q.Get("region"), q.Get("profile"), flags["anonymous"])
	if err != nil {
		return nil, err
	}
	if req != aws.RequestChecksumCalculationUnset {
		cfg.RequestChecksumCalculation = req
	}
	if resp != aws.RequestChecksumCalculationUnset {
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidation(resp)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = S3ConnsPerHost
		})
		if ep := q.Get("endpoint"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
		o.UsePathStyle = flags["use_path_style"]
		o.EndpointOptions.DisableHTTPS = flags["disable_https"]
	}), nil
}

// S3ConnsPerHost is how many idle connections to the S3 endpoint are kept
// for the next request. The SDK keeps 10, so with more requests in flight
// (a move uploads move.DefaultBlobWorkers, 16, at once) the connections
// beyond ten were closed after each request and dialled again for the next:
// a TCP (and TLS) handshake, and the server's accept, per upload.
const S3ConnsPerHost = 32

// isNotFound reports an S3 answer of 404 (NoSuchKey, NotFound).
func isNotFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 404
}
