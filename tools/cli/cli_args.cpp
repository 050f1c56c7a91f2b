#include "cli_args.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

#include "cli.hpp"
#include "posmode/tools/suggest.hpp"

namespace posmode::cli {
namespace {

namespace pc = posmode::components;

// `--name` up to any `=value`, or `-x` without an attached value.
std::string option_word(const std::string& arg) {
  if (arg.starts_with("--")) return arg.substr(0, arg.find('='));
  return arg.substr(0, 2);
}

bool is_option_word(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && arg != "--";
}

const CLI::Option* find_option(const CLI::App& app, std::string_view word) {
  for (const CLI::Option* o : app.get_options()) {
    if (word.starts_with("--")) {
      for (const auto& name : o->get_lnames())
        if (word.substr(2) == name) return o;
    } else {
      for (const auto& name : o->get_snames())
        if (word.substr(1) == name) return o;
    }
  }
  return nullptr;
}

// Long names before short ones, so that a tie between `--mode` and `-m` names the long one.
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options())
    for (const auto& name : o->get_lnames())
      names.push_back("--" + name);
  for (const CLI::Option* o : app.get_options())
    for (const auto& name : o->get_snames())
      names.push_back("-" + name);
  return names;
}

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

// A stray value: most often an option's value whose option was forgotten (`set -a pm hedge`).
std::string stray_value(const CLI::App& command, const std::string& arg) {
  std::string hint;
  if (pc::parse_position_mode(arg) && find_option(command, "--mode") != nullptr) {
    hint = "--mode " + arg;
  } else {
    hint = tools::nearest("--" + arg, option_names(command));
    if (find_option(command, hint) != nullptr &&
        find_option(command, hint)->get_items_expected_max() > 0)
      hint += " " + arg;
  }
  return command.get_name() + ": unexpected argument " + in_quotes(arg) + " (did you mean " + hint +
         "?)";
}

}  // namespace

std::string usage(const std::vector<const CLI::App*>& commands) {
  std::string out = "usage: posmode <command> [options]\n\ncommands:\n";
  for (const CLI::App* c : commands)
    out += fmt::format("  {:<6}{}\n", c->get_name(), c->get_description());
  out +=
      "\n'posmode <command> --help' lists a command's options, 'posmode --help' the exit codes, "
      "'posmode --version' the version.\n";
  return out;
}

std::string unknown_argument(const CLI::App& app, const std::vector<const CLI::App*>& commands,
                             const std::vector<std::string>& args) {
  std::size_t i = 0;
  for (; i < args.size() && is_option_word(args[i]); ++i) {
    const std::string word = option_word(args[i]);
    if (find_option(app, word) != nullptr) continue;
    // A command's option given before the command.
    for (const CLI::App* c : commands)
      if (find_option(*c, word) != nullptr)
        return "option " + in_quotes(word) + " comes after the command (e.g. posmode " +
               c->get_name() + " " + word + " ...)";
    return "unknown option " + in_quotes(word) + " (did you mean " +
           tools::nearest(word, option_names(app)) + "?)";
  }
  if (i == args.size()) return {};

  const CLI::App* command = nullptr;
  std::vector<std::string> names;
  for (const CLI::App* c : commands) {
    names.push_back(c->get_name());
    if (c->get_name() == args[i]) command = c;
  }
  if (command == nullptr)
    return "unknown command " + in_quotes(args[i]) + " (did you mean " +
           tools::nearest(args[i], names) + "?)";

  for (++i; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!is_option_word(arg)) return stray_value(*command, arg);
    const std::string word = option_word(arg);
    const CLI::Option* option = find_option(*command, word);
    if (option == nullptr)
      return command->get_name() + ": unknown option " + in_quotes(word) + " (did you mean " +
             tools::nearest(word, option_names(*command)) + "?)";
    const bool value_attached = arg.size() > word.size();
    if (option->get_items_expected_max() == 0 || value_attached) continue;
    // The next argument is the value, whatever it looks like (`--timeout -5`), unless it is
    // another option of the command.
    const bool value_missing =
        i + 1 == args.size() ||
        (is_option_word(args[i + 1]) && find_option(*command, option_word(args[i + 1])) != nullptr);
    if (value_missing)
      return command->get_name() + ": " + word + " needs a value (" + option->get_description() +
             ")";
    ++i;
  }
  return {};
}

std::string unknown_value(std::string_view option, std::string_view what, std::string_view value,
                          const std::vector<std::string>& choices) {
  return std::string(option) + ": unknown " + std::string(what) + " " + in_quotes(value) +
         " (did you mean " + tools::nearest(value, choices) + "? valid: " + join(choices) + ")";
}

pc::position_mode parse_mode_option(std::string_view option, const std::string& text) {
  if (const auto mode = pc::parse_position_mode(text)) return *mode;
  throw usage_error(unknown_value(option, "mode", text, {"hedge", "one-way"}));
}

std::int64_t parse_integer_option(std::string_view option, const std::string& text,
                                  std::int64_t low, std::int64_t high, std::string_view unit) {
  const std::string range = std::to_string(low) + ".." + std::to_string(high);
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, value);
  const bool digits = !text.empty() && at == end;
  if (!digits || (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw usage_error(std::string(option) + ": " + in_quotes(text) + " is not a whole number of " +
                      std::string(unit) + " (" + range + ")");
  // Too many digits for 64 bits: outside the range on the side of its sign.
  const bool too_low = ec == std::errc() ? value < low : text.starts_with('-');
  const bool too_high = ec == std::errc() ? value > high : !text.starts_with('-');
  if (too_low || too_high)
    throw usage_error(std::string(option) + ": " + text + " is outside " + range +
                      " (nearest valid: " + std::to_string(too_low ? low : high) + ")");
  return value;
}

std::int64_t parse_timestamp_option(const std::string& text) {
  if (text == "now")
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || at != end || ec != std::errc())
    throw usage_error("--timestamp: " + in_quotes(text) +
                      " is not a time in milliseconds since the epoch (did you mean now?)");
  // The templates have a fixed 13-digit slot (milliseconds since 2001-09-09).
  if (value < 1'000'000'000'000 || value > 9'999'999'999'999)
    throw usage_error("--timestamp: " + text +
                      " is not a 13-digit time in milliseconds (1000000000000..9999999999999, or "
                      "now)");
  return value;
}

}  // namespace posmode::cli
