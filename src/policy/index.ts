/**
 * Policy primitives (issue 12): rate limits, per-address counts, authentication-failure
 * backoff and bounded caches. Pure: no sockets, no timers; every one takes an injectable clock.
 */
export { BoundedCache, type BoundedCacheOptions } from './bounded-cache.js';
export { ManualClock, monotonicClock, type Clock } from './clock.js';
export { addressKey } from './address-key.js';
export { ConnectionCounter } from './connection-counter.js';
export { AuthFailureTracker, type AuthFailureOptions } from './auth-failures.js';
export { KeyedRateLimiter, type KeyedRateOptions } from './rate-limiter.js';
export { LogThrottle } from './log-throttle.js';
export { TokenBucket, type RateSpec } from './token-bucket.js';
export { RATE_LIMITED, isRateLimited } from './rate-answer.js';
export { DEFAULT_PAYLOAD_LIMITS, payloadLimits, type PayloadLimits } from './size-limits.js';
export { LATENCY_BUCKETS_S, LatencyHistogram } from './latency-histogram.js';
