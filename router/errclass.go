package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-gw/switchboard/llm"
)

// ErrorClass groups failures that share a fallback chain.
type ErrorClass int

// Error classes.
const (
	// ClassRateLimited: the deployment (every key of it) is rate limited.
	ClassRateLimited ErrorClass = iota
	// ClassOverloaded: the provider is overloaded, failed (5xx), could not
	// be reached, or refused the gateway's own credentials.
	ClassOverloaded
	// ClassTimeout: a connect, first-token, idle or total timeout.
	ClassTimeout
	// ClassContextWindow: the input does not fit the model's context
	// window; its fallback is usually an alias with a larger window.
	ClassContextWindow
	// ClassContentFiltered: the provider's safety system refused.
	ClassContentFiltered
	numClasses
)

var classNames = [numClasses]string{"rate_limited", "overloaded", "timeout", "context_window", "content_filtered"}

func (c ErrorClass) String() string {
	if c >= 0 && c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// ParseErrorClass reads a class name as written in the configuration.
func ParseErrorClass(s string) (ErrorClass, bool) {
	for i, n := range classNames {
		if n == s {
			return ErrorClass(i), true
		}
	}
	return 0, false
}

// ErrorClassNames lists the class names in order.
func ErrorClassNames() []string { return classNames[:] }

// verdict is what the router does after an attempt failed.
type verdict int

const (
	// stop: the error goes to the caller (the caller's own mistake, or the
	// caller went away).
	stop verdict = iota
	// nextDeployment: another deployment, or the same one later, may
	// succeed; the deployment counts a failure.
	nextDeployment
	// deploymentBroken: the deployment cannot serve (the provider refused
	// the gateway's credentials or does not know the model): another
	// deployment may succeed, this one is not retried.
	deploymentBroken
	// nextAlias: no deployment of this alias will do better (context
	// window, content filter); only a fallback alias may.
	nextAlias
)

// judge classifies err for routing.
func judge(ctx context.Context, err error) (verdict, ErrorClass) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) && llm.KindOf(err) == llm.KindCanceled {
		return stop, 0
	}
	var e *llm.Error
	if !errors.As(err, &e) {
		// Not classified by a provider: a bug or an unexpected state.
		// Another deployment may well work.
		return nextDeployment, ClassOverloaded
	}
	switch e.Kind {
	case llm.KindRateLimited:
		return nextDeployment, ClassRateLimited
	case llm.KindOverloaded, llm.KindUpstream, llm.KindUnavailable, llm.KindInternal:
		return nextDeployment, ClassOverloaded
	case llm.KindTimeout:
		return nextDeployment, ClassTimeout
	case llm.KindContextTooLong:
		return nextAlias, ClassContextWindow
	case llm.KindContentFiltered:
		return nextAlias, ClassContentFiltered
	case llm.KindUnauthenticated, llm.KindPermissionDenied, llm.KindNotFound:
		// From a provider these are the gateway's problem (a bad key, a
		// misnamed model), not the caller's: the caller was
		// authenticated and authorized before routing.
		if e.Provider != "" {
			return deploymentBroken, ClassOverloaded
		}
	}
	// Invalid requests, payload too large, a canceled call: the same
	// request fails everywhere.
	return stop, 0
}

// countsAsFailure reports whether a verdict counts against the
// deployment's breaker. Context-window and content-filter errors prove the
// deployment is alive.
func (v verdict) countsAsFailure() bool { return v == nextDeployment || v == deploymentBroken }
