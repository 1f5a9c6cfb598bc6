package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/auth"
)

// keyChangesChannel is the NOTIFY channel of the key trigger (see the
// migration).
const keyChangesChannel = "switchboard_key_changes"

// Reconnection backoff of the LISTEN connection.
const (
	minListenBackoff = 100 * time.Millisecond
	maxListenBackoff = 5 * time.Second
)

// WatchKeyChanges listens for key changes on a dedicated connection and
// calls fn for each, until ctx ends. After every (re)connection it calls fn
// with a Resync change first, because announcements made while it was not
// listening are lost. It reconnects on its own, with a backoff, for as long
// as ctx lasts, and returns ctx's error.
func (s *Store) WatchKeyChanges(ctx context.Context, fn func(auth.KeyChange)) error {
	backoff := minListenBackoff
	for {
		started := time.Now()
		_ = s.listen(ctx, fn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(started) > maxListenBackoff {
			backoff = minListenBackoff // it was up for a while: retry soon
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxListenBackoff)
	}
}

// listen runs one LISTEN connection until it fails or ctx ends.
func (s *Store) listen(ctx context.Context, fn func(auth.KeyChange)) error {
	conn, err := pgx.ConnectConfig(ctx, s.listenConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+keyChangesChannel); err != nil {
		return err
	}
	fn(auth.KeyChange{Resync: true})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel != keyChangesChannel {
			continue
		}
		id, revoked := strings.CutPrefix(n.Payload, "revoked:")
		fn(auth.KeyChange{KeyID: id, Revoked: revoked})
	}
}
