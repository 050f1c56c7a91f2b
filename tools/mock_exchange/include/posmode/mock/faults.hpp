#pragma once

// Faults the mock exchange injects, globally or for one API key.

#include <chrono>

namespace posmode::mock {

/**
 * What goes wrong with a reply. All off by default; several may be combined.
 *
 * A request first waits `delay` (the venue processes it after that wait: a request that lands
 * late, checked against the timestamp window at that moment). Then at most one replacement
 * applies, in this order: `drop_before_reply` (the TCP connection is closed without a byte of
 * reply, and without a TLS close_notify; with `reset`, by a TCP reset instead of a FIN),
 * `unknown_error_503` (HTTP 503: Binance's `-1000` "Unknown error..." body, Bitget's `40010`
 * "Request timed out" on Bitget paths, OKX's `50001` "Service temporarily unavailable" on OKX
 * paths, Bybit's `10016`; on Gate paths HTTP 500 `SERVER_ERROR`), `html_502` (a CloudFront-style
 * HTML page, `Content-Type: text/html`). For these three, `apply_change` says whether the venue
 * logic still ran (the mode changed, the rate limit counted) before the reply was lost or replaced:
 * the "execution status unknown" case of docs/venues.md §1.4 is `apply_change = true`.
 *
 * The way the reply is written is then changed by: `drip` (one byte per TLS write, `drip_interval`
 * apart), `connection_close` (`Connection: close`, then a TLS shutdown and close), and
 * `drop_after_reply` (the whole reply is written, then the TCP connection is closed abruptly).
 *
 * The skewed clock and the wrong-host certificate are exchange-wide (see `exchange`), because the
 * first is the venue's clock and the second is chosen before any request identifies an account.
 */
struct fault_set {
  std::chrono::milliseconds delay{0};  ///< added before the request is processed
  bool drop_before_reply = false;
  bool reset = false;  ///< drops (before or after the reply) send a TCP reset (SO_LINGER 0)
  bool unknown_error_503 = false;
  bool html_502 = false;
  bool apply_change = false;  ///< the three faults above still run the venue logic
  bool connection_close = false;
  bool drip = false;
  std::chrono::milliseconds drip_interval{1};  ///< pause between dripped bytes
  bool drop_after_reply = false;
  /// the faults apply to set-mode requests (POST) only; queries, pings and time are answered
  /// normally (a set that lands late while the mode is read back at once)
  bool sets_only = false;
  /// a Bitget (OKX) set that would succeed answers "00000" ("0") with the echoed `posMode`
  /// naming the other mode (Gate: 200 with an account whose `position_mode` is another one);
  /// the change is made only with `apply_change` (is the echo or the state wrong?)
  bool echo_other_mode = false;
};

}  // namespace posmode::mock
