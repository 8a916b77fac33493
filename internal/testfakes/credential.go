package testfakes

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// StaticToken is a credential that always returns the same bearer token,
// for tests that build a Graph client without signing in. The provider's own
// access_token credential is internal/auth's.
type StaticToken string

// GetToken returns the token as is, valid for a day.
func (t StaticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}
