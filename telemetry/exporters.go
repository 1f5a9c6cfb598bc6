package telemetry

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// DefaultOTLPTimeout bounds one OTLP export.
const DefaultOTLPTimeout = 10 * time.Second

// endpoint is an OTLP endpoint taken apart.
type endpoint struct {
	host     string // host:port
	insecure bool
	base     string // the URL's path, without a trailing slash
}

// parseEndpoint reads an OTLP endpoint URL.
func parseEndpoint(raw string) (endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return endpoint{}, fmt.Errorf("telemetry: OTLP endpoint %q: want http://host:port or https://host:port", raw)
	}
	return endpoint{host: u.Host, insecure: u.Scheme == "http", base: strings.TrimSuffix(u.Path, "/")}, nil
}

func timeoutOf(c OTLPConfig) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultOTLPTimeout
}

// newSpanExporter builds the OTLP span exporter of c. The connection is
// made lazily: a collector that is down does not stop the gateway; spans
// are dropped (and the SDK logs it) until it is back.
func newSpanExporter(ctx context.Context, c OTLPConfig) (sdktrace.SpanExporter, error) {
	ep, err := parseEndpoint(c.Endpoint)
	if err != nil {
		return nil, err
	}
	switch c.Protocol {
	case "", ProtocolGRPC:
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(ep.host), otlptracegrpc.WithTimeout(timeoutOf(c))}
		if ep.insecure {
			opts = append(opts, otlptracegrpc.WithInsecure())
		}
		if len(c.Headers) > 0 {
			opts = append(opts, otlptracegrpc.WithHeaders(c.Headers))
		}
		return otlptracegrpc.New(ctx, opts...)
	case ProtocolHTTP:
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(ep.host), otlptracehttp.WithURLPath(ep.base + "/v1/traces"), otlptracehttp.WithTimeout(timeoutOf(c))}
		if ep.insecure {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
		if len(c.Headers) > 0 {
			opts = append(opts, otlptracehttp.WithHeaders(c.Headers))
		}
		return otlptracehttp.New(ctx, opts...)
	}
	return nil, fmt.Errorf("telemetry: OTLP protocol %q: want grpc or http", c.Protocol)
}

// newMetricExporter builds the OTLP metric exporter of c.
func newMetricExporter(ctx context.Context, c OTLPConfig) (sdkmetric.Exporter, error) {
	ep, err := parseEndpoint(c.Endpoint)
	if err != nil {
		return nil, err
	}
	switch c.Protocol {
	case "", ProtocolGRPC:
		opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpoint(ep.host), otlpmetricgrpc.WithTimeout(timeoutOf(c))}
		if ep.insecure {
			opts = append(opts, otlpmetricgrpc.WithInsecure())
		}
		if len(c.Headers) > 0 {
			opts = append(opts, otlpmetricgrpc.WithHeaders(c.Headers))
		}
		return otlpmetricgrpc.New(ctx, opts...)
	case ProtocolHTTP:
		opts := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(ep.host), otlpmetrichttp.WithURLPath(ep.base + "/v1/metrics"), otlpmetrichttp.WithTimeout(timeoutOf(c))}
		if ep.insecure {
			opts = append(opts, otlpmetrichttp.WithInsecure())
		}
		if len(c.Headers) > 0 {
			opts = append(opts, otlpmetrichttp.WithHeaders(c.Headers))
		}
		return otlpmetrichttp.New(ctx, opts...)
	}
	return nil, fmt.Errorf("telemetry: OTLP protocol %q: want grpc or http", c.Protocol)
}
