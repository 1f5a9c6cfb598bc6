package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
)

// authenticator obtains the client's token and keeps it alive: a token
// from the configuration is renewed while Vault allows; with AppRole, a new
// login replaces a token that can no longer be renewed or that a read
// found refused.
type authenticator struct {
	client  *api.Client
	token   string
	appRole *AppRole
	logger  *slog.Logger

	mu        sync.Mutex // serializes logins; guards loggedIn and increment
	loggedIn  time.Time  // when the current token was obtained
	increment int        // seconds to ask for at each renewal
	relogins  chan *api.Secret
	minRelog  time.Duration
}

func newAuthenticator(client *api.Client, cfg Config) *authenticator {
	return &authenticator{
		client:   client,
		token:    cfg.Token,
		appRole:  cfg.AppRole,
		logger:   cfg.Logger,
		relogins: make(chan *api.Secret, 1),
		// A read refused right after a login is a policy problem, not an
		// expired token: logging in again would not help.
		minRelog: time.Second,
	}
}

// login authenticates and returns the token's auth data (for renewal).
func (a *authenticator) login(ctx context.Context) (*api.SecretAuth, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.loginLocked(ctx)
}

func (a *authenticator) loginLocked(ctx context.Context) (*api.SecretAuth, error) {
	var auth *api.SecretAuth
	var err error
	if a.appRole != nil {
		auth, err = a.appRoleLogin(ctx)
	} else {
		auth, err = a.tokenLookup(ctx)
	}
	if err != nil {
		return nil, err
	}
	a.loggedIn = time.Now()
	return auth, nil
}

func (a *authenticator) appRoleLogin(ctx context.Context) (*api.SecretAuth, error) {
	path := "auth/" + a.appRole.Mount + "/login"
	// The login request must not carry an old, possibly revoked token.
	c, err := a.client.Clone()
	if err != nil {
		return nil, fmt.Errorf("vault: AppRole login: %w", err)
	}
	c.ClearToken()
	s, err := c.Logical().WriteWithContext(ctx, path, map[string]any{
		"role_id":   a.appRole.RoleID,
		"secret_id": a.appRole.SecretID,
	})
	if err != nil {
		return nil, fmt.Errorf("vault: AppRole login at %s: %s", path, describe(err))
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return nil, fmt.Errorf("vault: AppRole login at %s returned no token", path)
	}
	a.client.SetToken(s.Auth.ClientToken)
	a.increment = s.Auth.LeaseDuration
	return s.Auth, nil
}

// tokenLookup checks the configured token and learns its lifetime.
func (a *authenticator) tokenLookup(ctx context.Context) (*api.SecretAuth, error) {
	a.client.SetToken(a.token)
	s, err := a.client.Auth().Token().LookupSelfWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault: checking the token: %s", describe(err))
	}
	if s == nil || s.Data == nil {
		return nil, errors.New("vault: checking the token: empty answer")
	}
	auth := &api.SecretAuth{ClientToken: a.token}
	auth.Renewable, _ = s.Data["renewable"].(bool)
	auth.LeaseDuration = seconds(s.Data["ttl"])
	// Renew by the token's original lifetime, not by what is left of it.
	a.increment = seconds(s.Data["creation_ttl"])
	return auth, nil
}

// reloginAfterDenied logs in again with AppRole after a read was refused,
// unless the token is fresh (then the refusal is about policy). It reports
// whether a new token is in place.
func (a *authenticator) reloginAfterDenied(ctx context.Context) bool {
	if a.appRole == nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if time.Since(a.loggedIn) < a.minRelog {
		return true // another caller just logged in: try with its token
	}
	auth, err := a.loginLocked(ctx)
	if err != nil {
		a.logger.Warn("vault: AppRole login after a refused read failed", "error", err.Error())
		return false
	}
	a.logger.Info("vault: logged in again with AppRole after a refused read")
	select { // hand the new token to the renewal loop
	case <-a.relogins:
	default:
	}
	a.relogins <- &api.Secret{Auth: auth}
	return true
}

// keepAlive renews the token until ctx ends. When renewal is over (the
// token reached its maximum TTL, was revoked, or Vault stayed unreachable
// until it expired) AppRole logs in again; a configured token cannot be
// replaced, so that is logged and reads fail once it expires.
func (a *authenticator) keepAlive(ctx context.Context, auth *api.SecretAuth) {
	for {
		if auth.LeaseDuration <= 0 {
			// A token without expiry (a root token) needs no renewal; wait
			// for a replacement from a refused read, or for the end.
			select {
			case <-ctx.Done():
				return
			case s := <-a.relogins:
				auth = s.Auth
				continue
			}
		}
		a.mu.Lock()
		increment := max(a.increment, auth.LeaseDuration)
		a.mu.Unlock()
		w, err := a.client.NewLifetimeWatcher(&api.LifetimeWatcherInput{
			Secret:    &api.Secret{Auth: auth},
			Increment: increment,
		})
		if err != nil {
			a.logger.Error("vault: cannot renew the token", "error", err.Error())
			return
		}
		go w.Start()
		next, done := a.watch(ctx, w)
		w.Stop()
		if done {
			return
		}
		auth = next
	}
}

// watch waits for the watcher to finish and returns the next token to
// watch, or done when there is none (or ctx ended).
func (a *authenticator) watch(ctx context.Context, w *api.LifetimeWatcher) (next *api.SecretAuth, done bool) {
	for {
		select {
		case <-ctx.Done():
			return nil, true
		case s := <-a.relogins:
			return s.Auth, false
		case r := <-w.RenewCh():
			ttl := 0
			if r != nil && r.Secret != nil && r.Secret.Auth != nil {
				ttl = r.Secret.Auth.LeaseDuration
			}
			a.logger.Debug("vault: token renewed", "ttl_seconds", ttl)
		case err := <-w.DoneCh():
			if a.appRole == nil {
				if err != nil {
					a.logger.Error("vault: token renewal failed; reads will fail once it expires: set a new token and restart, or use AppRole", "error", err.Error())
				} else {
					a.logger.Warn("vault: the token can no longer be renewed (maximum TTL reached or not renewable); reads will fail once it expires")
				}
				return nil, true
			}
			if err != nil {
				a.logger.Warn("vault: token renewal failed; logging in again with AppRole", "error", err.Error())
			}
			auth, ok := a.loginWithRetry(ctx)
			return auth, !ok
		}
	}
}

// loginWithRetry logs in with AppRole until it succeeds or ctx ends,
// backing off while Vault is unreachable.
func (a *authenticator) loginWithRetry(ctx context.Context) (*api.SecretAuth, bool) {
	wait := 500 * time.Millisecond
	for {
		auth, err := a.login(ctx)
		if err == nil {
			a.logger.Info("vault: logged in again with AppRole")
			return auth, true
		}
		a.logger.Warn("vault: AppRole login failed; retrying", "error", err.Error(), "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// seconds reads a lifetime from token lookup data (a JSON number).
func seconds(v any) int {
	n, ok := v.(json.Number)
	if !ok {
		return 0
	}
	i, _ := n.Int64()
	return int(i)
}
