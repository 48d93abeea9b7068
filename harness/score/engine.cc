#include "score/engine.h"

#include <array>
#include <cmath>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "score/engine_internal.h"
#include "score/text_scan.h"

namespace sre_eval {

namespace {

// The regex for a terms phrase: words on word boundaries, spaces and hyphens interchangeable,
// a trailing '*' for any word ending.
std::string PhraseRegex(const std::string& phrase) {
  std::string p(absl::StripAsciiWhitespace(phrase));
  bool stem = !p.empty() && p.back() == '*';
  if (stem) p.pop_back();
  std::string out;
  auto is_word = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  if (!p.empty() && is_word(p.front())) out += "\\b";
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == ' ' || c == '\t') {
      while (i + 1 < p.size() && (p[i + 1] == ' ' || p[i + 1] == '\t')) ++i;
      out += "[\\s\\-]+";
    } else if (c == '-') {
      out += "[\\s\\-]?";
    } else if (is_word(c) || static_cast<unsigned char>(c) >= 0x80) {
      out.push_back(c);
    } else {
      out += RE2::QuoteMeta(std::string(1, c));
    }
  }
  if (stem) {
    out += "\\w*";
  } else if (!p.empty() && is_word(p.back())) {
    out += "\\b";
  }
  return out;
}

// The phrase trie's slot of each byte, upper case folded to lower case; -1 for bytes no
// phrase word holds. A constant table: no guard check per byte.
struct SlotTable {
  int8_t slot[256];
  constexpr SlotTable() : slot() {
    for (int c = 0; c < 256; ++c) slot[c] = -1;
    for (int c = 'a'; c <= 'z'; ++c) slot[c] = slot[c - 'a' + 'A'] = static_cast<int8_t>(c - 'a');
    for (int c = '0'; c <= '9'; ++c) slot[c] = static_cast<int8_t>(26 + c - '0');
    slot[static_cast<int>('\'')] = 36;
    slot[static_cast<int>('.')] = 37;
    slot[static_cast<int>(',')] = 38;
    slot[static_cast<int>(':')] = 39;
    slot[static_cast<int>('_')] = 40;
  }
};
constexpr SlotTable kSlots;

}  // namespace

namespace engine_internal {

bool PhraseMatcher::Add(const std::string& phrase, int pattern) {
  std::string p = absl::AsciiStrToLower(absl::StripAsciiWhitespace(phrase));
  bool stem = !p.empty() && p.back() == '*';
  if (stem) p.pop_back();
  if (p.empty() || p.front() == '-' || p.back() == '-' || p.back() == ' ') return false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    bool digit_joiner = (c == '.' || c == ',' || c == ':') && i > 0 && i + 1 < p.size() &&
                        absl::ascii_isdigit(static_cast<unsigned char>(p[i - 1])) &&
                        absl::ascii_isdigit(static_cast<unsigned char>(p[i + 1]));
    if (Slot(c) < 0 && c != ' ' && c != '\t' && c != '-' && !digit_joiner) return false;
    if ((c == '.' || c == ',' || c == ':') && !digit_joiner) return false;
  }
  TextScan scan(p);
  const std::vector<Token>& tokens = scan.tokens();
  if (tokens.empty()) return false;
  std::vector<std::string> split;
  std::vector<std::string> joined;  // Words across hyphens run together: "frontend".
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string word = p.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
    bool hyphen =
        i > 0 && p.compare(tokens[i - 1].end, tokens[i].begin - tokens[i - 1].end, "-") == 0;
    if (hyphen) {
      joined.back() += word;
    } else {
      joined.push_back(word);
    }
    split.push_back(std::move(word));
  }
  AddAlternative(split, stem, pattern);
  if (joined.size() != split.size()) AddAlternative(joined, stem, pattern);
  return true;
}

void PhraseMatcher::Match(const TextScan& scan, std::vector<Hit>* out) const {
  const std::vector<Token>& tokens = scan.tokens();
  absl::string_view text = scan.text();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    int node = 0;
    for (uint32_t k = t.begin; k < t.end && node >= 0; ++k) {
      char c = text[k];
      if (c == '\'' && k > t.begin && (flags_[node] & kHasExact)) {
        Found(exact_[node], scan, i, out);  // "pod's"
      }
      int slot = Slot(c);
      node = slot < 0 ? -1 : children_[node][slot];
      if (node >= 0 && (flags_[node] & kHasStem)) Found(stem_[node], scan, i, out);
    }
    if (node >= 0 && (flags_[node] & kHasExact)) Found(exact_[node], scan, i, out);
  }
}

int PhraseMatcher::NewNode() {
  Children none;
  none.fill(-1);
  children_.push_back(none);
  flags_.push_back(0);
  exact_.emplace_back();
  stem_.emplace_back();
  return static_cast<int>(children_.size()) - 1;
}

int PhraseMatcher::Slot(char c) { return kSlots.slot[static_cast<unsigned char>(c)]; }

void PhraseMatcher::AddAlternative(const std::vector<std::string>& words, bool stem, int pattern) {
  int alt = static_cast<int>(alternatives_.size());
  alternatives_.push_back({words, stem, pattern});
  if (children_.empty()) NewNode();
  int node = 0;
  for (char c : words[0]) {
    int slot = Slot(c);
    if (children_[node][slot] < 0) {
      int child = NewNode();
      children_[node][slot] = child;
    }
    node = children_[node][slot];
  }
  if (stem && words.size() == 1) {
    stem_[node].push_back(alt);
    flags_[node] |= kHasStem;
  } else {
    exact_[node].push_back(alt);
    flags_[node] |= kHasExact;
  }
}

void PhraseMatcher::Found(const std::vector<int>& alts, const TextScan& scan, size_t first,
                          std::vector<Hit>* out) const {
  const std::vector<Token>& tokens = scan.tokens();
  absl::string_view text = scan.text();
  for (int a : alts) {
    const Alternative& alt = alternatives_[a];
    size_t last = first;
    bool ok = true;
    for (size_t w = 1; w < alt.words.size() && ok; ++w) {
      size_t j = first + w;
      if (j >= tokens.size()) {
        ok = false;
        break;
      }
      // Only white space and hyphens between the words.
      ok = tokens[j].begin > tokens[j - 1].end;
      for (size_t k = tokens[j - 1].end; k < tokens[j].begin && ok; ++k) {
        char c = text[k];
        ok = c == ' ' || c == '-' || c == '\n' || c == '\t' || c == '\r';
      }
      absl::string_view word = text.substr(tokens[j].begin, tokens[j].end - tokens[j].begin);
      bool stem_word = alt.stem && w + 1 == alt.words.size();
      ok = ok && (stem_word ? absl::StartsWithIgnoreCase(word, alt.words[w])
                            : absl::EqualsIgnoreCase(word, alt.words[w]));
      last = j;
    }
    if (!ok) continue;
    Span span{tokens[first].begin, tokens[last].end, first, last + 1};
    if (alt.words.size() == 1 && !alt.stem) {
      // An exact single word, perhaps before "'s": the span is the word itself.
      span.end = span.begin + alt.words[0].size();
    }
    out->push_back(Hit{alt.pattern, span});
  }
}

}  // namespace engine_internal

absl::StatusOr<int> CompiledRubric::Impl::AddPattern(const std::string& regex) {
  auto it = pattern_index.find(regex);
  if (it != pattern_index.end()) return it->second;
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(regex, options);
  if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat(regex, ": ", re->error()));
  int index = static_cast<int>(patterns.size());
  patterns.push_back(std::move(re));
  pattern_index.emplace(regex, index);
  return index;
}

absl::StatusOr<int> CompiledRubric::Impl::AddPhrase(const std::string& phrase) {
  std::string key = absl::StrCat(std::string(1, '\0'), phrase);
  auto it = pattern_index.find(key);
  if (it != pattern_index.end()) return it->second;
  int index = static_cast<int>(patterns.size());
  if (!phrases.Add(phrase, index)) return AddPattern(PhraseRegex(phrase));
  patterns.push_back(nullptr);
  pattern_index.emplace(key, index);
  return index;
}

absl::StatusOr<std::vector<std::vector<int>>> CompiledRubric::Impl::AddGroups(
    const std::vector<Synonyms>& groups) {
  std::vector<std::vector<int>> out;
  for (const Synonyms& g : groups) {
    std::vector<int> ids;
    for (const std::string& phrase : g) {
      absl::StatusOr<int> id = AddPhrase(phrase);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    out.push_back(std::move(ids));
  }
  return out;
}

CompiledRubric::CompiledRubric(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledRubric::~CompiledRubric() = default;

const Rubric& CompiledRubric::rubric() const { return impl_->rubric; }
bool CompiledRubric::has_judge_criteria() const { return impl_->has_judge; }

absl::StatusOr<std::unique_ptr<CompiledRubric>> CompiledRubric::Compile(const Rubric& rubric) {
  auto impl = std::make_unique<Impl>();
  impl->rubric = rubric;
  for (size_t di = 0; di < impl->rubric.dimensions.size(); ++di) {
    const RubricDimension& d = impl->rubric.dimensions[di];
    for (const Criterion& c : d.criteria) {
      Impl::Compiled cc;
      cc.criterion = &c;
      cc.dimension = d.name;
      cc.dimension_index = di;
      auto fail = [&](const absl::Status& s) {
        return absl::InvalidArgumentError(absl::StrCat(impl->rubric.file, ":", c.line, ":",
                                                       c.column, ": criterion '", c.id,
                                                       "': ", s.message()));
      };
      switch (c.kind) {
        case CriterionKind::kTerms: {
          auto any = impl->AddGroups(c.any);
          auto all = impl->AddGroups(c.all);
          if (!any.ok()) return fail(any.status());
          if (!all.ok()) return fail(all.status());
          cc.any = *any;
          cc.all = *all;
          break;
        }
        case CriterionKind::kForbid: {
          auto claims = impl->AddGroups(c.claims);
          auto denies = impl->AddGroups(c.denies);
          if (!claims.ok()) return fail(claims.status());
          if (!denies.ok()) return fail(denies.status());
          cc.claims = *claims;
          cc.denies = *denies;
          break;
        }
        case CriterionKind::kRegex: {
          auto id = impl->AddPattern(c.pattern);
          if (!id.ok()) return fail(id.status());
          cc.regex = *id;
          break;
        }
        case CriterionKind::kNumber:
        case CriterionKind::kTime: {
          for (const std::string& cue : c.cues) {
            auto id = impl->AddPhrase(cue);
            if (!id.ok()) return fail(id.status());
            cc.cues.push_back(*id);
          }
          break;
        }
        case CriterionKind::kIds: {
          RE2::Options options;
          options.set_case_sensitive(false);
          options.set_log_errors(false);
          cc.shape = std::make_unique<RE2>(absl::StrCat("\\b(?:", c.shape, ")\\b"), options);
          if (!cc.shape->ok()) return fail(absl::InvalidArgumentError(cc.shape->error()));
          break;
        }
        case CriterionKind::kJudge:
          impl->has_judge = true;
          break;
        case CriterionKind::kOutcome:
        case CriterionKind::kGuard:
          break;  // Read from the measured outcome, not from the answer.
      }
      impl->criteria.push_back(std::move(cc));
    }
  }
  for (size_t i = 0; i < impl->patterns.size(); ++i) {
    if (impl->patterns[i] != nullptr) impl->set_patterns.push_back(static_cast<int>(i));
  }
  if (!impl->set_patterns.empty()) {
    RE2::Options options;
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    impl->set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
    for (int i : impl->set_patterns) {
      std::string error;
      if (impl->set->Add(impl->patterns[i]->pattern(), &error) < 0) {
        return absl::InvalidArgumentError(absl::StrCat(impl->rubric.file, ": ", error));
      }
    }
    if (!impl->set->Compile()) {
      return absl::ResourceExhaustedError(
          absl::StrCat(impl->rubric.file, ": the rubric's patterns are too large to compile"));
    }
  }
  return std::unique_ptr<CompiledRubric>(new CompiledRubric(std::move(impl)));
}

double RoundScore(double score) { return std::round(score * 10000.0) / 10000.0; }

}  // namespace sre_eval
