#include "cli/arg_parser.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/edit_distance.h"

namespace sre_eval {

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return fallback;
  return it->second.back();
}

absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec,
                                     const std::vector<std::string>& args) {
  ParsedArgs parsed;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "-h" || a == "--help") {
      parsed.help = true;
      return parsed;
    }
  }
  std::vector<std::string> names;
  for (const OptionSpec& o : spec.options) names.push_back("--" + o.name);
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      parsed.positionals.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string name = a;
    std::string value;
    bool has_inline_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos && absl::StartsWith(a, "--")) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_inline_value = true;
    }
    const OptionSpec* option = nullptr;
    for (const OptionSpec& o : spec.options) {
      if (name == "--" + o.name) option = &o;
    }
    if (option == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option '", name, "'", DidYouMean(name, names)));
    }
    if (option->value_name.empty()) {
      if (has_inline_value) {
        return absl::InvalidArgumentError(absl::StrCat("option '", name, "' takes no value"));
      }
    } else if (!has_inline_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("option '", name, "' needs a value (", option->value_name, ")"));
      }
      value = args[++i];
    }
    std::vector<std::string>& slot = parsed.values[option->name];
    if (!slot.empty() && !option->repeated) {
      return absl::InvalidArgumentError(absl::StrCat("option '", name, "' was given twice"));
    }
    slot.push_back(value);
  }
  if (parsed.positionals.size() < spec.min_positionals) {
    return absl::InvalidArgumentError(absl::StrCat("missing ", spec.positionals));
  }
  if (parsed.positionals.size() > spec.max_positionals) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", parsed.positionals[spec.max_positionals], "'"));
  }
  return parsed;
}

std::string UsageLine(const CommandSpec& spec) {
  std::string line = absl::StrCat("usage: sre-eval ", spec.name);
  for (const OptionSpec& o : spec.options) {
    absl::StrAppend(&line, " [--", o.name, o.value_name.empty() ? "" : " ", o.value_name, "]",
                    o.repeated ? "..." : "");
  }
  if (!spec.positionals.empty()) absl::StrAppend(&line, " ", spec.positionals);
  return line;
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string out = absl::StrCat(UsageLine(spec), "\n\n", spec.summary, "\n");
  if (!spec.description.empty()) absl::StrAppend(&out, "\n", spec.description, "\n");
  absl::StrAppend(&out, "\noptions:\n");
  std::vector<std::pair<std::string, std::string>> rows;
  for (const OptionSpec& o : spec.options) {
    rows.emplace_back(absl::StrCat("--", o.name, o.value_name.empty() ? "" : " ", o.value_name),
                      o.help);
  }
  rows.emplace_back("-h, --help", "show this help and exit");
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (const auto& [left, help] : rows) {
    absl::StrAppend(&out, "  ", left, std::string(width - left.size() + 2, ' '), help, "\n");
  }
  return out;
}

}  // namespace sre_eval
