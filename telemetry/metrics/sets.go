package metrics

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// setCache keeps the attribute sets of label combinations already seen, so
// that recording a measurement does not build, sort and hash its attribute
// set again: on the request path that is most of a metric's cost. The
// labels are bounded (see the package documentation), and so is the cache:
// past maxCachedSets combinations new ones are built each time instead of
// kept.
type setCache[K comparable, V any] struct {
	m    sync.Map // K -> V
	size atomic.Int64
}

const maxCachedSets = 4096

func (c *setCache[K, V]) get(k K, build func(K) V) V {
	if v, ok := c.m.Load(k); ok {
		return v.(V)
	}
	v := build(k)
	if c.size.Load() < maxCachedSets {
		if _, loaded := c.m.LoadOrStore(k, v); !loaded {
			c.size.Add(1)
		}
	}
	return v
}

// option is a measurement option for a fixed attribute set.
func option(kvs ...attribute.KeyValue) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(kvs...))
}
