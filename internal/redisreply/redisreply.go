// Package redisreply reads the replies of script calls queued on a go-redis
// pipeline, for the Redis engines that share one (billing/ratelimit,
// billing/budget, joined by billing/redisadmit).
package redisreply

import (
	"errors"

	"github.com/redis/go-redis/v9"
)

// ErrNoAnswer is the error of a queued call that got no answer: a pipeline
// that runs out of retries (a Redis that cannot be reached) leaves its
// commands without an answer or an error of their own.
var ErrNoAnswer = errors.New("no answer from Redis to a pipelined call")

// Err is cmd's error once its pipeline has run, ErrNoAnswer when it got
// no answer at all.
func Err(cmd *redis.Cmd) error {
	if err := cmd.Err(); err != nil {
		return err
	}
	if cmd.Val() == nil {
		return ErrNoAnswer
	}
	return nil
}

// IsNoScript reports Redis's answer to an EVALSHA of a script it does not
// have (after a restart or SCRIPT FLUSH): the caller sends it whole (EVAL).
func IsNoScript(err error) bool { return err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") }
