#include "posmode/tools/config.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "posmode/components/venue_facts.hpp"
#include "posmode/engine/request_signer.hpp"
#include "posmode/tools/printable.hpp"
#include "posmode/tools/suggest.hpp"

namespace posmode::tools {
namespace {

namespace pc = posmode::components;

// Secret files hold one line; anything much larger is the wrong file. A PEM private key holds
// several (an RSA-4096 PKCS#8 key is about 3.3 kB).
constexpr std::size_t max_secret_file_size = 4096;
constexpr std::size_t max_private_key_file_size = 16384;
constexpr std::size_t max_config_file_size = 1 << 20;

// Every refusal is one printable line: names and values echoed from the file (a quoted TOML key
// or string may hold a line break or an escape sequence) are escaped, never printed raw.
[[noreturn]] void fail(std::string_view where, std::string_view why) {
  std::string message(where);
  message += ": ";
  message += why;
  throw config_error(printable(message));
}

// Temporary copies of secrets are wiped before their memory goes back to the allocator.
void wipe(std::string& s) noexcept {
  if (s.capacity() != 0) ::explicit_bzero(s.data(), s.capacity());
  s.clear();
}

// Appended rather than `"'" + std::string(s) + "'"`: g++ 12 at -O3 reports a false -Wrestrict
// inside that operator+ chain.
std::string in_quotes(std::string_view s) {
  std::string quoted;
  quoted.reserve(s.size() + 2);
  quoted.append(1, '\'').append(s).append(1, '\'');
  return quoted;
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// Why a read failed; for a size overflow errno is not involved.
struct read_result {
  bool ok = false;
  std::string text;
  std::string error;
};

// Reads a whole file through an open descriptor, so that the checks made on the descriptor
// (secret files) apply to exactly the bytes read.
read_result read_fd(int fd, std::size_t limit) {
  read_result r;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = std::strerror(errno);
      break;
    }
    if (n == 0) {
      r.ok = true;
      break;
    }
    if (r.text.size() + static_cast<std::size_t>(n) > limit) {
      r.error = "larger than " + std::to_string(limit) + " bytes";
      break;
    }
    r.text.append(buffer, static_cast<std::size_t>(n));
  }
  ::explicit_bzero(buffer, sizeof buffer);
  if (!r.ok) wipe(r.text);
  return r;
}

// O_NONBLOCK keeps a FIFO named by mistake from blocking the open; regular files ignore it.
int open_for_reading(const std::string& path) {
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

// Where a secret may not come from: kernel-made pseudo files (/proc/self/environ is a regular,
// owner-only file holding every environment variable), device and sysfs nodes.
bool is_pseudo_file(const std::string& resolved) {
  for (const char* root : {"/proc/", "/sys/", "/dev/"})
    if (resolved.rfind(root, 0) == 0) return true;
  return false;
}

// Reads a secret or passphrase from a file only the user can read (0600 or 0400 and owned by
// the effective user, in a directory others cannot write to), as ssh does for private keys. The
// trailing line break is dropped; the secret itself must be one line, unless `pem` (a private
// key's PEM text: several lines, kept as they are).
pc::secret_string read_secret_file(const std::string& path, const std::string& field,
                                   bool pem = false) {
  char resolved_buffer[PATH_MAX];
  if (::realpath(path.c_str(), resolved_buffer) == nullptr)
    fail(field, "cannot open " + in_quotes(path) + ": " + std::strerror(errno));
  const std::string resolved(resolved_buffer);
  if (is_pseudo_file(resolved))
    fail(field, in_quotes(path) + " is a kernel pseudo file (" + resolved + "), not a secret file");
  const int fd = open_for_reading(path);
  if (fd < 0) fail(field, "cannot open " + in_quotes(path) + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int saved = errno;
    ::close(fd);
    fail(field, "cannot stat " + in_quotes(path) + ": " + std::strerror(saved));
  }
  std::string problem;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  if (!S_ISREG(st.st_mode)) {
    problem = "is not a regular file";
  } else if (st.st_uid != ::geteuid()) {
    problem = "is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
              std::to_string(::geteuid()) + ")";
  } else if ((st.st_mode & 044) != 0) {
    problem = std::string("is group- or world-readable (mode ") + mode + "); chmod 600 it";
  } else if ((st.st_mode & 077) != 0) {
    problem = std::string("is group- or world-accessible (mode ") + mode + "); chmod 600 it";
  }
  const std::string parent = resolved.substr(0, std::max<std::size_t>(1, resolved.rfind('/')));
  struct stat dir {};
  if (problem.empty() && ::stat(parent.c_str(), &dir) == 0 && (dir.st_mode & S_IWOTH) != 0)
    problem = "is in a world-writable directory (" + parent + "): anyone could replace it";
  if (!problem.empty()) {
    ::close(fd);
    fail(field, in_quotes(path) + " " + problem);
  }
  read_result r = read_fd(fd, pem ? max_private_key_file_size : max_secret_file_size);
  ::close(fd);
  if (!r.ok) fail(field, "cannot read " + in_quotes(path) + ": " + r.error);
  if (pem) {
    if (r.text.empty()) fail(field, in_quotes(path) + " is empty");
    pc::secret_string key(r.text);
    wipe(r.text);
    return key;
  }
  while (!r.text.empty() && (r.text.back() == '\n' || r.text.back() == '\r'))
    r.text.pop_back();
  if (r.text.empty()) {
    wipe(r.text);
    fail(field, in_quotes(path) + " is empty");
  }
  // A second line (or any control byte) means the wrong file, or a secret that would be sent
  // with bytes the venue never issued; the content itself is never echoed.
  const bool one_line = std::none_of(r.text.begin(), r.text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (!one_line) {
    wipe(r.text);
    fail(field, in_quotes(path) + " holds more than one line or a control character");
  }
  pc::secret_string secret(r.text);
  wipe(r.text);
  return secret;
}

// Reads the keys of one TOML table by name, remembering each name asked for so that any other
// key in the table can be refused as unknown (a misspelt optional key must not pass silently).
class table_reader {
 public:
  table_reader(const toml::table& table, std::string where)
      : table_(table), where_(std::move(where)) {}

  [[nodiscard]] std::string field(std::string_view key) const {
    return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
  }
  [[nodiscard]] const std::string& where() const noexcept { return where_; }

  [[nodiscard]] const toml::node* node(std::string_view key) {
    known_.emplace_back(key);
    return table_.get(key);
  }

  [[nodiscard]] std::optional<std::string> string(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (const auto* s = n->as_string()) return s->get();
    fail(field(key), "expected a string, got " + std::string(type_name(*n)));
  }

  [[nodiscard]] std::string required_string(std::string_view key) {
    auto s = string(key);
    if (!s) fail(field(key), "is required");
    if (s->empty()) fail(field(key), "must not be empty");
    return *s;
  }

  [[nodiscard]] std::optional<std::int64_t> integer(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (const auto* i = n->as_integer()) return i->get();
    fail(field(key), "expected an integer, got " + std::string(type_name(*n)));
  }

  [[nodiscard]] std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (const auto* b = n->as_boolean()) return b->get();
    fail(field(key), "expected true or false, got " + std::string(type_name(*n)));
  }

  // Only names are echoed, never values: a secret pasted under a wrong key stays unprinted.
  void refuse_unknown() const {
    for (const auto& [key, value] : table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
      std::string list;
      for (const auto& k : known_)
        list += (list.empty() ? "" : ", ") + k;
      fail(field(key.str()), "unknown key (known here: " + list + ")");
    }
  }

 private:
  const toml::table& table_;
  std::string where_;
  std::vector<std::string> known_;
};

struct defaults {
  std::optional<std::int64_t> attempt_timeout_ms;
  std::optional<std::int64_t> request_deadline_ms;
  std::optional<std::int64_t> connect_timeout_ms;
  bool verify_after_set = false;
};

std::string product_names_of(pc::venue v) {
  std::string list;
  for (const pc::product_facts& p : pc::facts_of(v).products)
    list += (list.empty() ? "" : ", ") + std::string(p.name);
  return list;
}

// The venue names of the table, for messages.
std::string venue_names() {
  std::string list;
  for (const pc::venue_facts* f : pc::known_venues())
    list += (list.empty() ? "" : ", ") + std::string(f->name);
  return list;
}

std::vector<pc::product> read_products(table_reader& t, pc::venue v) {
  const toml::node* n = t.node("products");
  const std::string field = t.field("products");
  if (n == nullptr) {
    const pc::venue_facts& facts = pc::facts_of(v);
    if (!facts.default_products.empty())
      return {facts.default_products.begin(), facts.default_products.end()};
    fail(field, "is required for " + std::string(facts.name) + " (" + product_names_of(v) + ")");
  }
  const auto* array = n->as_array();
  if (array == nullptr)
    fail(field, "expected an array of strings, got " + std::string(type_name(*n)));
  if (array->empty()) fail(field, "must name at least one product (" + product_names_of(v) + ")");
  std::vector<pc::product> products;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string where = field + "[" + std::to_string(i) + "]";
    const auto* name = (*array)[i].as_string();
    if (name == nullptr)
      fail(where, "expected a string, got " + std::string(type_name((*array)[i])));
    const auto p = pc::parse_product(name->get());
    if (!p)
      fail(where, "unknown product " + in_quotes(name->get()) + " (" + product_names_of(v) + ")");
    if (pc::venue_of(*p) != v)
      fail(where, in_quotes(name->get()) + " is not a " + std::string(pc::to_string(v)) +
                      " product (" + product_names_of(v) + ")");
    products.push_back(*p);
  }
  return products;
}

pc::secret_string secret_from_env(const environment& env, const std::string& where,
                                  const std::string& name) {
  std::optional<std::string> value = env(name);
  if (!value) fail(where, "environment variable " + name + " is not set");
  if (value->empty()) fail(where, "environment variable " + name + " is empty");
  pc::secret_string secret(*value);
  wipe(*value);
  return secret;
}

// Where one secret comes from: an environment variable (named, or the venue's default) or a
// file. Read from the table with the account; resolved only for the accounts that are loaded.
struct secret_source {
  std::string env_name;
  std::optional<std::string> file;
  std::string file_field;  ///< `accounts[i].<what>_file`, for messages
  std::string env_field;   ///< `accounts[i].<what>_env`
  bool pem = false;        ///< a private key's PEM text (several lines)
};

// `<what>_env` or `<what>_file`; the environment variable `fallback` when neither is given.
secret_source read_secret_source(table_reader& t, std::string_view what,
                                 std::string_view fallback) {
  const std::string env_key = std::string(what) + "_env";
  const std::string file_key = std::string(what) + "_file";
  const auto env_name = t.string(env_key);
  const auto file = t.string(file_key);
  if (env_name && file)
    fail(t.field(file_key), "give " + env_key + " or " + file_key + ", not both");
  if (file && file->empty()) fail(t.field(file_key), "must not be empty");
  if (env_name && env_name->empty()) fail(t.field(env_key), "must not be empty");
  return {env_name ? *env_name : std::string(fallback), file, t.field(file_key), t.field(env_key)};
}

pc::secret_string resolve(const secret_source& source, const environment& env,
                          const std::string& where) {
  if (source.file) return read_secret_file(*source.file, source.file_field, source.pem);
  return secret_from_env(env, where, source.env_name);
}

// One account's credential settings, as the file gives them.
struct credential_sources {
  std::string where;  ///< `accounts[i]`
  std::string key_env;
  secret_source secret;                      ///< HMAC accounts
  std::optional<secret_source> private_key;  ///< Ed25519 and RSA accounts (instead of `secret`)
  posmode::engine::signature_algorithm algorithm =
      posmode::engine::signature_algorithm::hmac_sha256;
  std::optional<secret_source> passphrase;  ///< Bitget only
};

// A private key is parsed as soon as it is read, so that one that cannot sign is refused with
// the field it came from (the problem named, never the key).
void check_private_key(const credential_sources& c, const pc::secret_string& pem) {
  const secret_source& from = *c.private_key;
  const std::string field =
      from.file ? from.file_field : from.env_field + " (" + from.env_name + ")";
  try {
    const posmode::engine::request_signer probe(c.algorithm, pem.reveal());
  } catch (const posmode::engine::key_error& e) {
    std::string_view why = e.what();
    if (why.starts_with("private key: ")) why.remove_prefix(13);
    fail(field, std::string(why));
  }
}

pc::credentials resolve(const credential_sources& c, const environment& env) {
  pc::credentials creds;
  std::optional<std::string> key = env(c.key_env);
  if (!key) fail(c.where, "environment variable " + c.key_env + " is not set");
  if (key->empty()) fail(c.where, "environment variable " + c.key_env + " is empty");
  creds.api_key = *key;
  if (c.private_key) {
    creds.private_key = resolve(*c.private_key, env, c.where);
    check_private_key(c, creds.private_key);
  } else {
    creds.secret = resolve(c.secret, env, c.where);
  }
  if (c.passphrase) creds.passphrase = resolve(*c.passphrase, env, c.where);
  return creds;
}

void check_readable(const std::string& path, const std::string& field) {
  const int fd = open_for_reading(path);
  if (fd < 0) fail(field, "cannot read " + in_quotes(path) + ": " + std::strerror(errno));
  ::close(fd);
}

std::vector<std::string> environment_names() {
  std::vector<std::string> names;
  for (const auto e : {pc::venue_environment::production, pc::venue_environment::testnet,
                       pc::venue_environment::demo})
    names.emplace_back(pc::to_string(e));
  return names;
}

struct parsed_account {
  pc::account_settings settings;  ///< everything but the credentials
  credential_sources credentials;
};

parsed_account read_account(const toml::table& table, std::size_t index, const defaults& d) {
  table_reader t(table, "accounts[" + std::to_string(index) + "]");
  parsed_account out;
  pc::account_settings& s = out.settings;
  pc::account_config& a = s.account;
  a.id = t.required_string("name");

  const std::string venue_name = t.required_string("venue");
  const auto v = pc::parse_venue(venue_name);
  if (!v)
    fail(t.field("venue"), "unknown venue " + in_quotes(venue_name) + " (" + venue_names() + ")");
  a.venue_kind = *v;
  a.products = read_products(t, *v);

  const auto environment_name = t.string("environment");
  if (environment_name) {
    const auto e = pc::parse_venue_environment(*environment_name);
    if (!e) {
      const std::vector<std::string> names = environment_names();
      fail(t.field("environment"), "unknown environment " + in_quotes(*environment_name) +
                                       " (did you mean " + nearest(*environment_name, names) +
                                       "? valid: " + names[0] + ", " + names[1] + ", " + names[2] +
                                       ")");
    }
    a.environment = *e;
  }
  if (auto host = t.string("host")) a.host = std::move(*host);
  if (const auto port = t.integer("port")) {
    if (*port < 1 || *port > 65535)
      fail(t.field("port"), std::to_string(*port) + " is outside 1..65535");
    a.port = static_cast<std::uint16_t>(*port);
  }
  if (auto ca = t.string("ca_file")) {
    if (ca->empty()) fail(t.field("ca_file"), "must not be empty");
    check_readable(*ca, t.field("ca_file"));
    s.ca_file = std::move(*ca);
  }
  if (const auto w = t.integer("recv_window_ms")) a.recv_window_ms = *w;
  if (const auto c = t.integer("connections")) {
    if (*c < 0) fail(t.field("connections"), std::to_string(*c) + " is outside 1..16");
    s.connections = static_cast<std::size_t>(*c);
  }
  s.verify_after_set = t.boolean("verify_after_set").value_or(d.verify_after_set);
  if (const auto expected = t.string("expected_mode")) {
    const auto mode = pc::parse_position_mode(*expected);
    if (!mode) {
      const std::vector<std::string> modes{"hedge", "one_way"};
      fail(t.field("expected_mode"), "unknown mode " + in_quotes(*expected) + " (did you mean " +
                                         nearest(*expected, modes) + "? valid: hedge, one_way)");
    }
    s.expected_mode = *mode;
  }
  a.bitget_demo_key = t.boolean("bitget_demo_key").value_or(false);
  // After Binance's CM migration; validate_config refuses it where the venue couples no books.
  a.unified_position_mode = t.boolean("unified_position_mode").value_or(false);
  // Bybit's linear-symbol scope (and the read-back symbol of its coin scopes).
  if (auto symbol = t.string("symbol")) a.bitget_query_symbol = std::move(*symbol);
  // The older spelling may stay beside the new one only when both say demo.
  if (a.bitget_demo_key && environment_name && a.environment != pc::venue_environment::demo)
    fail(t.field("bitget_demo_key"),
         "true contradicts environment = \"" + *environment_name +
             "\" (bitget_demo_key = true is the older spelling of environment = \"demo\"; keep "
             "one)");

  const default_env_names names = default_env(*v);
  credential_sources& c = out.credentials;
  c.where = t.where();
  const auto key_env = t.string("key_env");
  if (key_env && key_env->empty()) fail(t.field("key_env"), "must not be empty");
  c.key_env = key_env ? *key_env : std::string(names.key);
  if (const auto type_name = t.string("key_type")) {
    const auto type = pc::parse_api_key_type(*type_name);
    if (!type)
      fail(t.field("key_type"),
           "unknown key type " + in_quotes(*type_name) + " (valid: hmac, ed25519, rsa)");
    if (*type != pc::api_key_type::hmac && !pc::facts_of(*v).accepts_asymmetric_keys)
      fail(t.field("key_type"), in_quotes(*type_name) + " is not accepted by " + venue_name +
                                    " (HMAC keys only; ed25519 and rsa are for Binance)");
    a.key_type = *type;
  }
  if (a.key_type == pc::api_key_type::hmac) {
    c.secret = read_secret_source(t, "secret", names.secret);
    for (const char* key_name : {"private_key_env", "private_key_file"})
      if (t.node(key_name) != nullptr)
        fail(t.field(key_name),
             "is for key_type = \"ed25519\" or \"rsa\" (this account signs "
             "with its HMAC secret)");
  } else {
    for (const char* key_name : {"secret_env", "secret_file"})
      if (t.node(key_name) != nullptr)
        fail(t.field(key_name), "is for HMAC keys; key_type = \"" +
                                    std::string(pc::to_string(a.key_type)) +
                                    "\" signs with private_key_file or private_key_env");
    const bool named =
        t.node("private_key_env") != nullptr || t.node("private_key_file") != nullptr;
    if (!named)
      fail(t.field("private_key_file"), "is required with key_type = \"" +
                                            std::string(pc::to_string(a.key_type)) +
                                            "\" (or private_key_env)");
    c.private_key = read_secret_source(t, "private_key", "");
    c.private_key->pem = true;
    c.algorithm = pc::account_signature(a);
  }
  if (pc::facts_of(*v).needs_passphrase) {
    c.passphrase = read_secret_source(t, "passphrase", names.passphrase);
  } else {
    for (const char* key_name : {"passphrase_env", "passphrase_file"})
      if (t.node(key_name) != nullptr)
        fail(t.field(key_name), "is a Bitget setting (venue is " + venue_name + ")");
  }
  t.refuse_unknown();
  return out;
}

// `bytes` random bytes as hex; a caller keeping a secret in it wipes it after copying.
std::string random_hex(std::random_device& random, std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(random()) & 0xffU;
    out += digits[b >> 4];
    out += digits[b & 0xfU];
  }
  return out;
}

defaults read_defaults(const toml::node* node) {
  defaults d;
  if (node == nullptr) return d;
  const auto* table = node->as_table();
  if (table == nullptr) fail("defaults", "expected a table, got " + std::string(type_name(*node)));
  table_reader t(*table, "defaults");
  d.attempt_timeout_ms = t.integer("attempt_timeout_ms");
  d.request_deadline_ms = t.integer("request_deadline_ms");
  d.connect_timeout_ms = t.integer("connect_timeout_ms");
  d.verify_after_set = t.boolean("verify_after_set").value_or(false);
  t.refuse_unknown();
  // Bounded here, with the key's own name: an hour is far beyond any sensible wait, and an
  // unbounded one overflows the deadline arithmetic.
  constexpr std::int64_t max_ms = components::max_configured_wait.count();
  for (const auto& [value, key] : {std::pair{d.attempt_timeout_ms, "attempt_timeout_ms"},
                                   std::pair{d.request_deadline_ms, "request_deadline_ms"},
                                   std::pair{d.connect_timeout_ms, "connect_timeout_ms"}})
    if (value && (*value < 1 || *value > max_ms))
      fail(t.field(key),
           std::to_string(*value) + " is outside 1.." + std::to_string(max_ms) + " (one hour)");
  return d;
}

// toml++ descriptions are one sentence, but keep the message on one line whatever they say.
std::string one_line(std::string_view text) {
  std::string s(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

}  // namespace

environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

default_env_names default_env(components::venue v) noexcept {
  const pc::venue_facts* f = pc::find_venue(v);
  if (f == nullptr) return {};
  return {f->credential_env.key, f->credential_env.secret, f->credential_env.passphrase};
}

unknown_account_error::unknown_account_error(std::string_view source, std::string name,
                                             std::string nearest)
    : config_error(printable(std::string(source) + ": no account named " + in_quotes(name) +
                             (nearest.empty() ? "" : " (did you mean " + nearest + "?)"))),
      name_(std::move(name)),
      nearest_(std::move(nearest)) {}

components::credentials throwaway_credentials(components::venue v) {
  std::random_device random;
  components::credentials creds;
  creds.api_key = "throwaway-" + random_hex(random, 16);
  std::string secret = random_hex(random, 32);
  creds.secret = pc::secret_string(secret);
  wipe(secret);
  if (const pc::venue_facts* f = pc::find_venue(v); f != nullptr && f->needs_passphrase) {
    std::string passphrase = random_hex(random, 8);
    creds.passphrase = pc::secret_string(passphrase);
    wipe(passphrase);
  }
  return creds;
}

components::secret_string read_private_key_file(const std::string& path, const std::string& field) {
  return read_secret_file(path, field, true);
}

components::credentials throwaway_credentials(components::venue v, components::api_key_type type) {
  components::credentials creds = throwaway_credentials(v);
  if (type == pc::api_key_type::hmac) return creds;
  creds.secret = pc::secret_string();
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      type == pc::api_key_type::ed25519
          ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
          : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)),
      &EVP_PKEY_free);
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_secmem()), &BIO_free);
  if (!key || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("throwaway key: OpenSSL could not make one");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  creds.private_key = pc::secret_string(std::string_view(data, static_cast<std::size_t>(len)));
  return creds;
}

std::string public_key_pem(std::string_view private_pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), &BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      in ? PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr, &EVP_PKEY_free);
  const std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  if (!key || !out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1)
    throw std::invalid_argument("public_key_pem: no private key in the PEM text");
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

components::component_config parse_config(std::string_view toml_text, std::string_view source_name,
                                          const environment& env) {
  load_options options;
  options.env = env;
  return parse_config(toml_text, source_name, options);
}

components::component_config parse_config(std::string_view toml_text, std::string_view source_name,
                                          const load_options& options) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw config_error(printable(std::string(source_name) + ":" + std::to_string(at.line) + ":" +
                                 std::to_string(at.column) + ": " + one_line(e.description())));
  }

  table_reader top(root, "");
  const defaults d = read_defaults(top.node("defaults"));
  const toml::node* accounts = top.node("account");
  top.refuse_unknown();
  if (accounts == nullptr) fail("account", "no [[account]] table: at least one is required");
  const auto* list = accounts->as_array();
  if (list == nullptr || !list->is_array_of_tables())
    fail("account", "expected [[account]] tables, got " + std::string(type_name(*accounts)));

  components::component_config config;
  if (d.attempt_timeout_ms)
    config.attempt_timeout = std::chrono::milliseconds(*d.attempt_timeout_ms);
  if (d.request_deadline_ms)
    config.request_deadline = std::chrono::milliseconds(*d.request_deadline_ms);
  if (d.connect_timeout_ms)
    config.connect_timeout = std::chrono::milliseconds(*d.connect_timeout_ms);
  std::vector<parsed_account> parsed;
  for (std::size_t i = 0; i < list->size(); ++i)
    parsed.push_back(read_account(*(*list)[i].as_table(), i, d));

  std::vector<std::string> names;
  for (const auto& p : parsed)
    names.push_back(p.settings.account.id);
  for (const auto& wanted : options.accounts)
    if (std::find(names.begin(), names.end(), wanted) == names.end())
      throw unknown_account_error(source_name, wanted, nearest(wanted, names));
  std::vector<bool> selected;
  for (const auto& p : parsed)
    selected.push_back(options.accounts.empty() ||
                       std::find(options.accounts.begin(), options.accounts.end(),
                                 p.settings.account.id) != options.accounts.end());

  // Accounts left out still pass validate_config, with stand-in credentials that never leave
  // this function: a file is either valid as a whole or refused.
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    pc::account_settings& s = parsed[i].settings;
    if (!selected[i]) {
      // Its key type was checked against the venue above; its key file is not read.
      s.account.key_type = pc::api_key_type::hmac;
      s.creds.api_key = "unused";
      s.creds.secret = pc::secret_string("unused");
      if (parsed[i].credentials.passphrase) s.creds.passphrase = pc::secret_string("unused");
    } else if (options.credentials == credential_source::throwaway) {
      s.creds = throwaway_credentials(s.account.venue_kind, s.account.key_type);
    } else {
      s.creds = resolve(parsed[i].credentials, options.env);
    }
    config.accounts.push_back(std::move(s));
  }

  try {
    components::validate_config(config);
  } catch (const std::invalid_argument& e) {
    throw config_error(printable(e.what()));
  }
  if (!options.accounts.empty()) {
    std::vector<pc::account_settings> kept;
    for (std::size_t i = 0; i < selected.size(); ++i)
      if (selected[i]) kept.push_back(std::move(config.accounts[i]));
    config.accounts = std::move(kept);
  }
  return config;
}

namespace {

std::string read_config_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  const int fd = open_for_reading(name);
  if (fd < 0) fail(name, std::string("cannot read: ") + std::strerror(errno));
  read_result r = read_fd(fd, max_config_file_size);
  ::close(fd);
  if (!r.ok) fail(name, "cannot read: " + r.error);
  return std::move(r.text);
}

}  // namespace

components::component_config load_config(const std::filesystem::path& path,
                                         const environment& env) {
  return parse_config(read_config_file(path), path.string(), env);
}

components::component_config load_config(const std::filesystem::path& path,
                                         const load_options& options) {
  return parse_config(read_config_file(path), path.string(), options);
}

}  // namespace posmode::tools
