#pragma once

// The whole life of one account request, as a value: (state, input, now) -> steps. No I/O, no
// timer, no clock read, no allocation. account_session owns one per account, feeds it what
// happened (an answer, a refused send, a deadline) and carries out the steps it returns (send,
// wait, resync the clock, publish, finish). docs/design.md, "The state machine", is the table
// this file implements; `outcome_rules` below is its answer column, as data. Private to
// posmode::components.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "posmode/components/component_config.hpp"
#include "posmode/components/position_event.hpp"
#include "posmode/components/venue_reply.hpp"
#include "posmode/engine/fixed_string.hpp"
#include "trigger.hpp"

namespace posmode::components::detail {

/** Why a request to a host under an IP ban (HTTP 418) was not sent. */
inline constexpr std::string_view ban_reason =
    "not sent: the host banned this IP (HTTP 418) and the ban has not ended";

/** What a set request answered with a given outcome leads to. */
enum class set_reaction : std::uint8_t {
  succeed,         ///< the product is done (unless the answer asks for a read-back)
  stop,            ///< the request ends with the outcome's status; never retried
  resync_retry,    ///< one clock resync and one retry, else stop
  wait_retry,      ///< wait Retry-After when it ends before the deadline and retry, else stop
  settle_or_stop,  ///< read the mode back when the answer leaves the effect open, else stop
};

/** One row of the answer table. */
struct outcome_rule {
  outcome result;
  event_status status;  ///< the event status when the request ends on this answer
  set_reaction on_set;  ///< what a set answered this way leads to
  /// a refusal whose meaning is known even when a read-back follows (Bitget): the read-back
  /// cannot turn it into `not_applied`
  bool recognised_refusal;
  /// no answer, or the venue said it does not know: the set may still be executed later
  /// (docs/venues.md §1.4); every other answer shows the venue processed it
  bool may_still_execute;
};

/** The answer table, indexed by `outcome` (checked at compile time). */
inline constexpr std::array<outcome_rule, 18> outcome_rules{{
    {outcome::applied, event_status::applied, set_reaction::succeed, false, false},
    {outcome::already_in_mode, event_status::already_in_mode, set_reaction::succeed, false, false},
    {outcome::mode_reported, event_status::venue_error, set_reaction::settle_or_stop, false, false},
    {outcome::ok, event_status::venue_error, set_reaction::settle_or_stop, false, false},
    {outcome::blocked_positions, event_status::blocked_positions, set_reaction::stop, true, false},
    {outcome::blocked_orders, event_status::blocked_orders, set_reaction::stop, true, false},
    {outcome::blocked_um_cm_mismatch, event_status::blocked_um_cm_mismatch, set_reaction::stop,
     true, false},
    {outcome::blocked_positions_or_orders, event_status::blocked_positions_or_orders,
     set_reaction::settle_or_stop, true, false},
    {outcome::clock_skew, event_status::clock_skew, set_reaction::resync_retry, true, false},
    {outcome::bad_signature, event_status::auth_failed, set_reaction::settle_or_stop, true, false},
    {outcome::key_or_permission, event_status::auth_failed, set_reaction::settle_or_stop, true,
     false},
    {outcome::wrong_environment, event_status::auth_failed, set_reaction::settle_or_stop, true,
     false},
    {outcome::rate_limited, event_status::rate_limited, set_reaction::wait_retry, true, false},
    {outcome::ip_banned, event_status::ip_banned, set_reaction::stop, true, false},
    {outcome::unknown, event_status::unknown, set_reaction::settle_or_stop, false, true},
    {outcome::venue_error, event_status::venue_error, set_reaction::settle_or_stop, false, false},
    {outcome::malformed, event_status::unknown, set_reaction::settle_or_stop, false, true},
    {outcome::mode_not_supported, event_status::mode_not_supported, set_reaction::stop, true,
     false},
}};

[[nodiscard]] constexpr const outcome_rule& rule_of(outcome o) noexcept {
  return outcome_rules[static_cast<std::size_t>(o)];
}

static_assert(
    [] {
      for (std::size_t i = 0; i < outcome_rules.size(); ++i)
        if (static_cast<std::size_t>(outcome_rules[i].result) != i) return false;
      return static_cast<std::size_t>(outcome::mode_not_supported) + 1 == outcome_rules.size();
    }(),
    "outcome_rules has one row per outcome, in the enum's order");

/** The event status of an answer that ends a request (or a start-up read) as it stands. */
[[nodiscard]] constexpr event_status status_of(outcome o) noexcept {
  return rule_of(o).status;
}

/** Copies an answer's status, code and message into `e`; `reason` when it has no message. */
void fill_reply(position_event& e, const venue_reply* reply, std::string_view reason) noexcept;

/** `request_policy::twin` of a product whose coupled twin is not among the account's products. */
inline constexpr std::uint8_t no_twin = 0xff;

/** What the machine knows of its account; fixed while the component runs. */
struct request_policy {
  std::uint64_t account = 0;
  venue venue_kind = venue::binance_papi;
  std::span<const product> products;  ///< switched in this order; 1..max_products_per_account
  bool verify_after_set = false;
  /// the venue settles every set answer but success by reading the mode back (Bitget, whose
  /// error codes do not say whether the mode changed: docs/venues.md §3.6)
  bool read_back_on_error = false;
  bool resync_on_clock_skew = true;
  bool wait_on_rate_limit = true;
  std::size_t max_rate_limit_retries = 2;
  std::int64_t default_retry_after_ms = 1'000;
  std::int64_t request_deadline_ns = 8'000'000'000;
  std::int64_t attempt_timeout_ns = 2'000'000'000;

  // Coupled books (docs/design.md, "Coupled books"); `set_coupling` fills them from the rows.
  /// `account_config::unified_position_mode`: one set moves a product and its twin
  bool unified = false;
  /// per product index: the `open_sets` entry its sets are recorded in; twins on a venue that
  /// couples books share one, unified or not (a set that may land on one may move both)
  std::array<std::uint8_t, max_products_per_account> open_slot{0, 1, 2, 3, 4, 5};
  /// per product index: the index of its coupled twin among `products`, or `no_twin`
  std::array<std::uint8_t, max_products_per_account> twin{no_twin, no_twin, no_twin,
                                                          no_twin, no_twin, no_twin};
  /// unified: the product is switched through the previous product's set, whose outcome it takes
  std::array<bool, max_products_per_account> follows{};
  /// unified: the name of the twin a product's set moves when that twin is not among `products`
  /// (usdm's `coinm`), for the event's message; empty otherwise
  std::array<std::string_view, max_products_per_account> unlisted_twin{};
};

/**
 * Fills `policy`'s coupled-books fields for `config` (a validated account) from its products'
 * rows. Construction time; no allocation.
 */
void set_coupling(request_policy& policy, const account_config& config) noexcept;

/** A product's mode as last established (a read, or a claim the machine published). */
struct known_mode {
  bool known = false;
  position_mode mode = position_mode::hedge;
};

/**
 * Sets of finished requests that got no answer showing the venue processed them, per product:
 * until `until_ns` one of them may still be executed, so a later request for the other mode must
 * not race it. Account-wide; outlives each request.
 */
class open_sets {
 public:
  /** 0, or when a set that forbids sending `mode` now can no longer be executed. */
  [[nodiscard]] std::int64_t blocking_until(std::size_t product_index, position_mode mode,
                                            std::int64_t now_ns) noexcept;
  /** A set for `mode` may be executed until `until_ns`. */
  void record(std::size_t product_index, position_mode mode, std::int64_t until_ns,
              std::int64_t now_ns) noexcept;

 private:
  struct entry {
    bool active = false;
    bool mixed = false;  // sets of both modes may land: every request waits
    position_mode mode = position_mode::hedge;
    std::int64_t until_ns = 0;
  };
  std::array<entry, max_products_per_account> entries_{};
};

/**
 * The account's state as the machine's inputs see it, kept current by its owner before each
 * call: whether the account is warm, banned, or unreachable because the venue's certificate did
 * not verify, and why the API connections went down last.
 */
struct account_facts {
  bool warm = false;
  bool banned = false;          ///< the API host bans this IP now (HTTP 418)
  bool tls_unverified = false;  ///< no API connection, and the last failed to verify
  /// when no API connection is up: "host:port: what failed"; else empty
  std::string_view unreachable_cause;
  open_sets open;
  /// per product index: the mode last read (start-up) or claimed (the machine's events); what a
  /// book was in before a request, to tell that its twin's set moved it
  std::array<known_mode, max_products_per_account> known{};
};

/** What the owner must do, in order. */
enum class step_kind : std::uint8_t {
  send_set,      ///< send the pre-signed set for `product` (deadline `at_ns`), report back
  send_query,    ///< send the mode query for `product` (deadline `at_ns`), report back
  send_verify,   ///< the same query, as the verification after success
  wait_until,    ///< call `on_wait_over` once the monotonic clock reaches `at_ns`
  resync_clock,  ///< forget the clock offset, probe the venue's time, re-sign, `on_clock_synced`
  publish,       ///< publish `*event` (stamp its sequence and time)
  finish,        ///< the request is over: return `events_left()` reservations, take the next
};

struct step {
  step_kind kind = step_kind::finish;
  product scope = product::papi_um;
  std::int64_t at_ns = 0;
  /// send_set: write nothing from this instant on (the request's deadline); 0 for other steps
  std::int64_t latest_start_ns = 0;
  /// publish: in the machine's buffer, for the owner to stamp (sequence, time) and publish
  position_event* event = nullptr;
};

/** The steps of one input; valid until the machine's next call. */
class step_list {
 public:
  static constexpr std::size_t capacity = 6;
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] const step& operator[](std::size_t i) const noexcept { return steps_[i]; }
  [[nodiscard]] const step* begin() const noexcept { return steps_.data(); }
  [[nodiscard]] const step* end() const noexcept { return steps_.data() + size_; }

 private:
  friend class request_machine;
  void clear() noexcept { size_ = events_ = 0; }
  void add(const step& s) noexcept {
    if (size_ < capacity) steps_[size_++] = s;
  }
  position_event& new_event() noexcept {
    return event_buf_[events_ + 1 < event_buf_.size() ? events_++ : events_];
  }

  std::array<step, capacity> steps_{};
  // A product's event, then a terminal one; or, unified, a set's event and its twin's.
  std::array<position_event, 4> event_buf_{};
  std::size_t size_ = 0;
  std::size_t events_ = 0;
};

/** Why the owner could not send what a send step asked for. */
enum class send_refusal : std::uint8_t {
  no_connection,  ///< no idle connection now: wait for `on_ready`
  build_failed,   ///< the bytes could not be built or signed (detail: why)
  transport,      ///< the connection refused the write (detail: why)
};

/**
 * One account's current request, from its trigger to its `finish` step. Each input method takes
 * the monotonic time of the input and returns the steps the owner carries out in order; the
 * machine never reads a clock and never allocates. Every request ends in exactly one `finish`,
 * after exactly one terminal event.
 *
 * **Threads**: the loop thread only. **Errors**: none; every method is noexcept. Inputs that do
 * not fit the state (an answer after the deadline, a wait that is no longer current) return no
 * steps.
 */
class request_machine {
 public:
  enum class state : std::uint8_t {
    idle,          ///< no request
    waiting,       ///< for a free connection (or the warm-up) before the next send
    set_sent,      ///< the set request is on the wire
    query_sent,    ///< settling an open outcome by reading the mode
    verify_sent,   ///< the verification query after success
    resyncing,     ///< a time probe after a timestamp refusal
    rate_waiting,  ///< Retry-After
    landing_wait,  ///< an earlier opposite set may still execute: wait until it no longer can
    settling,      ///< this request's set may still execute: read back once it no longer can
  };

  /** `policy` and `facts` outlive the machine. */
  request_machine(const request_policy& policy, account_facts& facts) noexcept
      : policy_(&policy), facts_(&facts) {}

  /** Starts a request for `t` (the previous one finished). */
  const step_list& begin(const trigger& t, std::int64_t now) noexcept;
  /** A connection is free, or the warm-up ended: the waiting send goes now. */
  const step_list& on_ready(std::int64_t now) noexcept;
  /** The last send step's request is in the kernel; for a set, `cutoff_ns` is when the venue
   * can no longer execute it. */
  const step_list& on_sent(std::int64_t now, std::int64_t cutoff_ns = 0) noexcept;
  /** The last send step's request could not be sent; `detail` is copied. */
  const step_list& on_send_refused(send_refusal why, std::string_view detail,
                                   std::int64_t now) noexcept;
  /** The answer to the request on the wire (a failure: `outcome::malformed` with the cause). */
  const step_list& on_answer(const venue_reply& reply, std::int64_t now) noexcept;
  /** A `wait_until` step's time came. */
  const step_list& on_wait_over(std::int64_t now) noexcept;
  /** The clock resync of a `resync_clock` step ended (well or not) and everything is re-signed. */
  const step_list& on_clock_synced(std::int64_t now) noexcept;
  /** The request's deadline passed (no steps before it). */
  const step_list& on_deadline(std::int64_t now) noexcept;
  /** The component stops: the request ends now, with what can be said of it. */
  const step_list& on_stop(std::int64_t now) noexcept;

  [[nodiscard]] bool active() const noexcept { return state_ != state::idle; }
  [[nodiscard]] state current_state() const noexcept { return state_; }
  /** The kind of request whose answer is awaited (set or query). */
  [[nodiscard]] request_kind awaited() const noexcept {
    return state_ == state::set_sent ? request_kind::set_mode : request_kind::query_mode;
  }
  [[nodiscard]] const trigger& current() const noexcept { return t_; }
  [[nodiscard]] product current_product() const noexcept;
  [[nodiscard]] std::int64_t deadline_ns() const noexcept { return deadline_ns_; }
  [[nodiscard]] std::uint8_t attempts() const noexcept { return attempts_; }
  /** The request's one clock-skew retry is spent (a second refusal ends it). */
  [[nodiscard]] bool clock_retry_used() const noexcept { return clock_retry_used_; }
  /** The set about to be written had to be signed on the spot: the product's events say so. */
  void note_signed_inline() noexcept { signed_inline_ = true; }
  [[nodiscard]] std::int64_t on_wire_ns() const noexcept { return on_wire_ns_; }
  /** A set of this request has reached the kernel (`on_wire_ns` is its time). */
  [[nodiscard]] bool set_written() const noexcept { return set_written_; }
  /** Reserved event slots the request did not use; returned at `finish`. */
  [[nodiscard]] std::size_t events_left() const noexcept { return events_left_; }
  /** The events one request may publish: one per product, plus the verification. */
  [[nodiscard]] std::size_t events_per_request() const noexcept {
    return policy_->products.size() + (policy_->verify_after_set ? 1 : 0);
  }

 private:
  enum class action : std::uint8_t { send_set, send_query, send_verify };

  void fresh(std::int64_t now) noexcept {
    now_ = now;
    out_.clear();
  }
  void advance(std::int64_t now) noexcept;
  void send_set(std::int64_t now) noexcept;
  void expire(std::int64_t now) noexcept;
  void on_set_answer(const venue_reply& reply, std::int64_t now) noexcept;
  void on_query_answer(const venue_reply& reply, std::int64_t now) noexcept;
  void on_verify_answer(const venue_reply& reply, std::int64_t now) noexcept;
  void product_succeeded(event_status status, const venue_reply* reply, std::int64_t now) noexcept;
  void read_back(const venue_reply& reply, std::int64_t now) noexcept;
  void wait_until(std::int64_t at_ns, state why, action then) noexcept;
  void close_open_set(std::int64_t now) noexcept;
  [[nodiscard]] bool set_may_land() const noexcept;
  [[nodiscard]] std::int64_t attempt_deadline(std::int64_t now) const noexcept;
  position_event& publish(event_status status, const venue_reply* reply,
                          std::string_view reason) noexcept;
  /** Unified: the events of the products switched by the current product's set, after its own
   *  (`lead`), each with its outcome; returns the last one published (or `lead`). */
  position_event& publish_followers(position_event& lead) noexcept;
  /** The first product index after the current product and those switched through its set. */
  [[nodiscard]] std::size_t next_product() const noexcept;
  /** Records what the event says of its product's mode in the account's facts. */
  void note_known(const position_event& e, std::size_t product_index) noexcept;
  /** Sets `coupled` (and says why in the message) on an event of the current product. */
  void mark_coupled(position_event& e) noexcept;
  /** `reply` (a -4059) with the message saying the twin's set moved the product. */
  const venue_reply& twin_moved(const venue_reply& reply) noexcept;
  /** A -4059 for the current product right after its twin's set moved the twin, the product
   *  having been read in the other mode before: the venue switched both books. */
  [[nodiscard]] bool moved_by_twin() const noexcept;
  void finish(event_status status, const venue_reply* reply, std::string_view reason) noexcept;
  void finish_verification(event_status status, const venue_reply* reply,
                           std::string_view reason) noexcept;
  void end() noexcept;
  /** `reply` with `reason` first, its own message after in parentheses. */
  const venue_reply& explained(const venue_reply& reply, std::string_view reason) noexcept;
  /** `open` (the answer that left the outcome open) after the read-back's own message: for a
   *  mode read back that is neither hedge nor one-way, which only the query's message names. */
  const venue_reply& with_read_back(const venue_reply& open, const venue_reply& query) noexcept;

  const request_policy* policy_;
  account_facts* facts_;
  step_list out_;
  venue_reply composed_;             // a reply rewritten for an event (reason, both causes)
  engine::fixed_string<96> reason_;  // a reason built from a cause the owner gave

  std::int64_t now_ = 0;  // the time of the input being handled
  state state_ = state::idle;
  action next_ = action::send_set;
  trigger t_;
  std::size_t product_index_ = 0;
  std::uint8_t attempts_ = 0;
  bool signed_inline_ = false;  // a set of the current product was signed inline
  std::size_t rate_retries_ = 0;
  bool clock_retry_used_ = false;
  bool verify_mismatch_ = false;
  std::size_t mismatch_product_ = 0;
  bool mismatch_has_mode_ = false;  // the disagreeing read named hedge or one-way
  bool has_observed_ = false;
  position_mode observed_ = position_mode::hedge;
  std::int64_t on_wire_ns_ = 0;
  bool set_written_ = false;  // a set of this request reached the kernel
  std::int64_t response_ns_ = 0;
  std::int64_t deadline_ns_ = 0;
  std::size_t events_left_ = 0;
  bool has_open_reply_ = false;
  venue_reply open_reply_;  // the answer whose effect a query must establish
  // When the set on the wire (state set_sent) can no longer be executed (monotonic).
  std::int64_t sent_cutoff_ns_ = 0;
  // 0, or when the last of the current product's sets that got no answer showing the venue
  // processed them can no longer be executed: until then one of them may still land.
  std::int64_t open_until_ns_ = 0;
  // Coupled books: each product's mode before this request, whether this request's set moved
  // it, and whether the current product's answer showed its twin's set had moved it too.
  std::array<known_mode, max_products_per_account> before_{};
  std::array<bool, max_products_per_account> moved_{};
  bool moved_by_twin_ = false;
  bool resent_ = false;            // the current product's set was sent again after a read-back
  bool query_retry_used_ = false;  // a read-back that got no answer is repeated once
};

}  // namespace posmode::components::detail
