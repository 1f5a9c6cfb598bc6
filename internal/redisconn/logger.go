package redisconn

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// SetLogger sends go-redis's own log lines (failed dials, pool and
// cluster-topology trouble) to logger at warn level instead of the standard
// error stream. go-redis has one logger per process, so this is global;
// the gateway calls it once at start.
func SetLogger(logger *slog.Logger) {
	redis.SetLogger(slogAdapter{logger})
}

type slogAdapter struct{ logger *slog.Logger }

func (a slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	a.logger.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "redis")
}
