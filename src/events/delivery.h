#pragma once
// Knative's DeliverySpec (spec.delivery of a Broker, Trigger, Channel or Subscription) as pure
// decisions: how long to wait before each retry, when to give up, what a subscriber's HTTP status
// means, and the ISO-8601 durations the spec is written in. No clock: the caller counts attempts.
#include <chrono>
#include <optional>
#include <string>

namespace mlfaas::events {

enum class BackoffPolicy { linear, exponential };

struct DeliveryPolicy {
  int retry = 0;  // retries after the first attempt
  BackoffPolicy backoff_policy = BackoffPolicy::exponential;
  std::chrono::milliseconds backoff_delay{200};
  std::optional<std::chrono::milliseconds> timeout;  // per attempt
  std::string dead_letter_sink;  // resolved URI, "" = none (dropped after the retries, as Knative)

  // Delay before retry n (n >= 1; smaller counts as 1): linear backoffDelay*n, exponential
  // backoffDelay*2^n, as DeliverySpec.BackoffDelay documents it, capped at 1 hour.
  // (Knative's dispatcher passes go-retryablehttp's 0-based index, so it actually waits
  // backoffDelay*(n-1) and backoffDelay*2^(n-1); we follow the documented API.)
  std::chrono::milliseconds delay_before_retry(int n) const;
  bool gives_up(int attempts_made) const { return attempts_made > retry; }
};

// What a subscriber's HTTP status means (Knative data-plane contract, specs/eventing/data-plane.md,
// and kncloudevents.SelectiveRetry): 2xx delivered; 404, 408, 409, 429 and 5xx retried; 1xx, 3xx,
// 400 and the other 4xx given up (errors that a retry will not fix); a code outside 100-599 is
// "not in the table" and retried.
enum class Outcome { delivered, retry, give_up };
Outcome outcome_for_status(unsigned status);

// ISO-8601 durations as Knative writes them ("PT0.2S", "PT1M30S", "P1DT2H", "PT10S", "P0"): weeks,
// days, hours, minutes and seconds in that order, a fraction (',' or '.') on any of them, exact to
// the millisecond (finer fractions are truncated). Years and months are refused (their length
// varies), as are signs and lower-case designators. Throws EventError naming `field`.
std::chrono::milliseconds parse_iso8601_duration(const std::string& s, const std::string& field);

}  // namespace mlfaas::events
