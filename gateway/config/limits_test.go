package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

func TestLimitsDefaults(t *testing.T) {
	cfg, err := config.Parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.Limits
	if l.Backend != config.LimitsMemory || l.FailureMode != config.FailOpen || l.Unpriced != config.UnpricedReject ||
		l.IdempotencyTTL != 24*time.Hour || l.SettingsRefresh != 10*time.Second || l.DefaultMaxOutputTokens != 16384 ||
		l.ImageTokens != 3000 || l.ReservationTTL != 15*time.Minute || l.IdempotencyWait != time.Minute {
		t.Fatalf("defaults %+v", l)
	}
	cfg, err = config.Parse([]byte("redis: {url: redis://127.0.0.1:6379}\nlimits: {unpriced: allow, idempotency_ttl: 1h}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.Limits; l.Backend != config.LimitsRedis || l.Unpriced != config.UnpricedAllow || l.IdempotencyTTL != time.Hour {
		t.Fatalf("with redis: %+v (the backend follows the redis section)", l)
	}
}

func TestLimitsErrorsNameTheField(t *testing.T) {
	for yml, field := range map[string]string{
		"limits: {backend: redis}\n":         "limits.backend",
		"limits: {backend: etcd}\n":          "limits.backend",
		"limits: {failure_mode: maybe}\n":    "limits.failure_mode",
		"limits: {unpriced: free}\n":         "limits.unpriced",
		"limits: {image_tokens: -1}\n":       "limits.image_tokens",
		"limits: {idempotency_ttl: -1s}\n":   "limits.idempotency_ttl",
		"limits: {reservation_ttl: 10s}\n":   "limits.reservation_ttl",
		"limits: {settings_refresh: -5s}\n":  "limits.settings_refresh",
		"limits: {idempotency_wait: -1ms}\n": "limits.idempotency_wait",
	} {
		_, err := config.Parse([]byte(yml), nil)
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%q: %v, want an error naming %s", yml, err, field)
		}
	}
}
