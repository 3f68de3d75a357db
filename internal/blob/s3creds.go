package blob

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// awsConfig builds the S3 client's configuration from a chain of credential
// sources written out here, not config.LoadDefaultConfig: that one links
// every provider the SDK has (SSO, assume-role chains, process credentials,
// sign-in), 2.3 MB of the binary, and the container image must stay under
// 40 MB. The chain, first match wins:
//
//  1. anonymous=true: unsigned requests;
//  2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN);
//  3. the profile's static keys in the shared files (profile=, AWS_PROFILE,
//     else "default"; ~/.aws/credentials and ~/.aws/config);
//  4. web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (EKS), or
//     the profile's web_identity_token_file and role_arn;
//  5. the container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS)
//     or AWS_CONTAINER_CREDENTIALS_FULL_URI;
//  6. the EC2 instance role (IMDS).
//
// SSO profiles, role chains (source_profile) and credential_process are not
// followed: use one of the above. The region: region=, else AWS_REGION /
// AWS_DEFAULT_REGION, else the profile's. The variables and the shared
// files are read in awsfiles.go, without the SDK's config package.
func awsConfig(ctx context.Context, region, profile string, anonymous bool) (aws.Config, error) {
	env, err := readAWSEnv()
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws environment: %w", err)
	}
	if profile == "" {
		profile = env.profile
	}
	name := profile
	if name == "" {
		name = "default"
	}
	shared, err := loadAWSProfile(name, env.configFile, env.credentialsFile)
	switch {
	case errors.Is(err, errNoProfile) && profile == "":
		shared = awsProfile{} // no default profile: fine
	case err != nil:
		return aws.Config{}, fmt.Errorf("aws profile %q: %w", name, err)
	}
	cfg := aws.Config{Region: region, RequestChecksumCalculation: env.requestChecksum, ResponseChecksumValidation: env.responseChecksum}
	if cfg.Region == "" {
		cfg.Region = env.region
	}
	if cfg.Region == "" {
		cfg.Region = shared.region
	}
	switch {
	case anonymous:
		cfg.Credentials = aws.AnonymousCredentials{}
	case env.creds.HasKeys():
		cfg.Credentials = credentials.StaticCredentialsProvider{Value: env.creds}
	case shared.creds.HasKeys():
		cfg.Credentials = credentials.StaticCredentialsProvider{Value: shared.creds}
	case env.webIdentityTokenFile != "" && env.roleARN != "":
		cfg.Credentials = webIdentity(cfg, env.roleARN, env.roleSession, env.webIdentityTokenFile)
	case shared.webIdentityTokenFile != "" && shared.roleARN != "":
		cfg.Credentials = webIdentity(cfg, shared.roleARN, shared.roleSession, shared.webIdentityTokenFile)
	case env.containerRelative != "":
		cfg.Credentials = containerCredentials("http://169.254.170.2"+env.containerRelative, env.containerToken)
	case env.containerFull != "":
		cfg.Credentials = containerCredentials(env.containerFull, env.containerToken)
	default:
		cfg.Credentials = aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = imds.New(imds.Options{}) }))
	}
	return cfg, nil
}

func webIdentity(cfg aws.Config, role, session, tokenFile string) aws.CredentialsProvider {
	return aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(sts.NewFromConfig(cfg), role, stscreds.IdentityTokenFile(tokenFile),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = session }))
}

func containerCredentials(endpoint, token string) aws.CredentialsProvider {
	return aws.NewCredentialsCache(endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = token
		if o.HTTPClient == nil {
			o.HTTPClient = http.DefaultClient
		}
	}))
}
