#include "sim/monitoring/promql.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sre_eval {
namespace sim {

struct PromExpr {
  enum Kind {
    kNumber,
    kString,
    kVectorSel,
    kMatrixSel,
    kSubquery,
    kCall,
    kAggregate,
    kBinary,
    kUnary,
  } kind = kNumber;
  double number = 0;
  std::string str;  // String literal; the function, aggregation or operator.
  // Selectors.
  std::vector<LabelMatcher> matchers;
  int64_t range_ms = 0;
  int64_t offset_ms = 0;
  int64_t step_ms = 0;  // Subqueries.
  // Calls and aggregations: args; aggregations: args[0] the expression, args[1] a parameter.
  std::vector<std::shared_ptr<PromExpr>> args;
  bool without = false;
  std::vector<std::string> grouping;
  bool has_grouping = false;
  // Binary operators.
  bool return_bool = false;
  bool has_matching = false;
  bool on = false;
  std::vector<std::string> matching;
  enum Card { kOneToOne, kManyToOne, kOneToMany } card = kOneToOne;
  std::vector<std::string> include;
};

namespace {

constexpr int64_t kLookbackMs = 5 * 60 * 1000;
constexpr int64_t kMaxRangePoints = 11000;  // Per range query series, as Prometheus' limit.

// ---- Functions' and aggregations' signatures.

struct FuncInfo {
  std::vector<PromType> args;
  int optional = 0;  // How many trailing args may be left out.
  bool variadic = false;
  PromType ret = PromType::kVector;
};

const std::map<std::string, FuncInfo>& Functions() {
  using T = PromType;
  static const auto* f = new std::map<std::string, FuncInfo>{
      {"rate", {{T::kMatrix}}},
      {"irate", {{T::kMatrix}}},
      {"increase", {{T::kMatrix}}},
      {"delta", {{T::kMatrix}}},
      {"idelta", {{T::kMatrix}}},
      {"deriv", {{T::kMatrix}}},
      {"changes", {{T::kMatrix}}},
      {"resets", {{T::kMatrix}}},
      {"avg_over_time", {{T::kMatrix}}},
      {"min_over_time", {{T::kMatrix}}},
      {"max_over_time", {{T::kMatrix}}},
      {"sum_over_time", {{T::kMatrix}}},
      {"count_over_time", {{T::kMatrix}}},
      {"last_over_time", {{T::kMatrix}}},
      {"stddev_over_time", {{T::kMatrix}}},
      {"stdvar_over_time", {{T::kMatrix}}},
      {"present_over_time", {{T::kMatrix}}},
      {"quantile_over_time", {{T::kScalar, T::kMatrix}}},
      {"histogram_quantile", {{T::kScalar, T::kVector}}},
      {"abs", {{T::kVector}}},
      {"ceil", {{T::kVector}}},
      {"floor", {{T::kVector}}},
      {"round", {{T::kVector, T::kScalar}, 1}},
      {"sqrt", {{T::kVector}}},
      {"exp", {{T::kVector}}},
      {"ln", {{T::kVector}}},
      {"log2", {{T::kVector}}},
      {"log10", {{T::kVector}}},
      {"clamp", {{T::kVector, T::kScalar, T::kScalar}}},
      {"clamp_min", {{T::kVector, T::kScalar}}},
      {"clamp_max", {{T::kVector, T::kScalar}}},
      {"time", {{}, 0, false, T::kScalar}},
      {"timestamp", {{T::kVector}}},
      {"vector", {{T::kScalar}}},
      {"scalar", {{T::kVector}, 0, false, T::kScalar}},
      {"absent", {{T::kVector}}},
      {"sort", {{T::kVector}}},
      {"sort_desc", {{T::kVector}}},
      {"label_replace", {{T::kVector, T::kString, T::kString, T::kString, T::kString}}},
  };
  return *f;
}

bool IsAggregation(const std::string& op) {
  static const std::set<std::string> kOps = {"sum",     "avg",      "min",          "max",
                                             "count",   "stddev",   "stdvar",       "topk",
                                             "bottomk", "quantile", "count_values", "group"};
  return kOps.count(op) != 0;
}

bool AggregationTakesParam(const std::string& op) {
  return op == "topk" || op == "bottomk" || op == "quantile" || op == "count_values";
}

// ---- Lexer.

struct Token {
  enum Kind { kEnd, kIdent, kNumber, kDuration, kString, kOp, kPunct } kind = kEnd;
  std::string text;
  double number = 0;
  int64_t duration_ms = 0;
  size_t pos = 0;
};

const char* const kDurationUnits[] = {"ms", "s", "m", "h", "d", "w", "y"};

int64_t UnitMs(absl::string_view u) {
  if (u == "ms") return 1;
  if (u == "s") return 1000;
  if (u == "m") return 60 * 1000;
  if (u == "h") return 3600 * 1000;
  if (u == "d") return 24 * 3600 * 1000;
  if (u == "w") return 7 * 24 * 3600 * 1000LL;
  if (u == "y") return 365 * 24 * 3600 * 1000LL;
  return 0;
}

}  // namespace

bool ParsePromDuration(absl::string_view text, int64_t* ms) {
  if (text.empty()) return false;
  int64_t total = 0;
  size_t i = 0;
  int last_unit = -1;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
    if (i == start || i - start > 12) return false;
    int64_t n = 0;
    if (!absl::SimpleAtoi(text.substr(start, i - start), &n)) return false;
    int unit = -1;
    for (int u = 0; u < 7; ++u) {
      absl::string_view name = kDurationUnits[u];
      if (text.substr(i, name.size()) == name && !(name == "m" && text.substr(i, 2) == "ms")) {
        unit = u;
        i += name.size();
        break;
      }
    }
    if (unit < 0) return false;
    // Units go from the largest down, each once (ms is the smallest).
    static const int kRank[] = {0, 1, 2, 3, 4, 5, 6};
    if (last_unit >= 0 && kRank[unit] >= kRank[last_unit]) return false;
    last_unit = unit;
    if (n > std::numeric_limits<int64_t>::max() / UnitMs(kDurationUnits[unit]) / 2) return false;
    total += n * UnitMs(kDurationUnits[unit]);
  }
  *ms = total;
  return true;
}

std::string FormatPromValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

namespace {

class Lexer {
 public:
  explicit Lexer(absl::string_view s) : s_(s) {}

  bool Next(Token* t, std::string* error) {
    while (i_ < s_.size() && (absl::ascii_isspace(s_[i_]) || s_[i_] == '#')) {
      if (s_[i_] == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        ++i_;
      }
    }
    *t = Token();
    t->pos = i_;
    if (i_ >= s_.size()) return true;
    const char c = s_[i_];
    const bool colon_name =
        c == ':' && i_ + 1 < s_.size() &&
        (absl::ascii_isalpha(s_[i_ + 1]) || s_[i_ + 1] == '_' || s_[i_ + 1] == ':');
    if (absl::ascii_isalpha(c) || c == '_' || colon_name) {
      size_t j = i_;
      while (j < s_.size() && (absl::ascii_isalnum(s_[j]) || s_[j] == '_' || s_[j] == ':')) ++j;
      t->kind = Token::kIdent;
      t->text = std::string(s_.substr(i_, j - i_));
      const std::string lower = absl::AsciiStrToLower(t->text);
      if (lower == "inf" || lower == "nan") {
        t->kind = Token::kNumber;
        t->number = lower == "inf" ? std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::quiet_NaN();
      }
      if (lower == "and" || lower == "or" || lower == "unless") {
        t->kind = Token::kOp;
        t->text = lower;
      }
      i_ = j;
      return true;
    }
    if (absl::ascii_isdigit(c) ||
        (c == '.' && i_ + 1 < s_.size() && absl::ascii_isdigit(s_[i_ + 1]))) {
      size_t j = i_;
      if (c == '0' && j + 1 < s_.size() && (s_[j + 1] == 'x' || s_[j + 1] == 'X')) {
        j += 2;
        while (j < s_.size() && absl::ascii_isxdigit(s_[j])) ++j;
        int64_t n = 0;
        if (!absl::SimpleHexAtoi(s_.substr(i_ + 2, j - i_ - 2), &n))
          return Fail(error, "bad number");
        t->kind = Token::kNumber;
        t->number = static_cast<double>(n);
        t->text = std::string(s_.substr(i_, j - i_));
        i_ = j;
        return true;
      }
      // A duration: digits and units.
      size_t k = j;
      while (k < s_.size() && (absl::ascii_isalnum(s_[k]))) ++k;
      int64_t ms = 0;
      if (ParsePromDuration(s_.substr(i_, k - i_), &ms)) {
        t->kind = Token::kDuration;
        t->duration_ms = ms;
        t->text = std::string(s_.substr(i_, k - i_));
        i_ = k;
        return true;
      }
      while (j < s_.size() && (absl::ascii_isdigit(s_[j]) || s_[j] == '.')) ++j;
      if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
        size_t e = j + 1;
        if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
        if (e < s_.size() && absl::ascii_isdigit(s_[e])) {
          j = e;
          while (j < s_.size() && absl::ascii_isdigit(s_[j])) ++j;
        }
      }
      t->text = std::string(s_.substr(i_, j - i_));
      if (!absl::SimpleAtod(t->text, &t->number)) {
        return Fail(error, absl::StrCat("bad number or duration syntax: \"", t->text, "\""));
      }
      if (j < s_.size() && (absl::ascii_isalpha(s_[j]) || s_[j] == '_')) {
        size_t k2 = j;
        while (k2 < s_.size() && absl::ascii_isalnum(s_[k2])) ++k2;
        return Fail(
            error, absl::StrCat("bad number or duration syntax: \"", s_.substr(i_, k2 - i_), "\""));
      }
      t->kind = Token::kNumber;
      i_ = j;
      return true;
    }
    if (c == '"' || c == '\'' || c == '`') {
      size_t j = i_ + 1;
      std::string value;
      while (j < s_.size() && s_[j] != c) {
        if (s_[j] == '\\' && c != '`' && j + 1 < s_.size()) {
          const char e = s_[j + 1];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e == '\\' ? '\\' : e;
          j += 2;
          continue;
        }
        value += s_[j++];
      }
      if (j >= s_.size()) return Fail(error, "unterminated quoted string");
      t->kind = Token::kString;
      t->text = value;
      i_ = j + 1;
      return true;
    }
    static const char* const kOps[] = {"==", "!=", "<=", ">=", "=~", "!~", "+", "-",
                                       "*",  "/",  "%",  "^",  "<",  ">",  "="};
    for (const char* op : kOps) {
      if (s_.substr(i_, std::strlen(op)) == op) {
        t->kind = Token::kOp;
        t->text = op;
        i_ += t->text.size();
        return true;
      }
    }
    if (absl::string_view("(){}[],:@").find(c) != absl::string_view::npos) {
      t->kind = Token::kPunct;
      t->text = std::string(1, c);
      ++i_;
      return true;
    }
    return Fail(error, absl::StrCat("unexpected character: '", std::string(1, c), "'"));
  }

  size_t pos() const { return i_; }

 private:
  bool Fail(std::string* error, const std::string& what) {
    *error = absl::StrCat("1:", i_ + 1, ": parse error: ", what);
    return false;
  }

  absl::string_view s_;
  size_t i_ = 0;
};

// ---- Parser.

int Precedence(const std::string& op) {
  if (op == "or") return 1;
  if (op == "and" || op == "unless") return 2;
  if (op == "==" || op == "!=" || op == "<=" || op == "<" || op == ">=" || op == ">") return 3;
  if (op == "+" || op == "-") return 4;
  if (op == "*" || op == "/" || op == "%") return 5;
  if (op == "^") return 6;
  return 0;
}

bool IsComparison(const std::string& op) { return Precedence(op) == 3; }
bool IsSetOp(const std::string& op) { return op == "and" || op == "or" || op == "unless"; }

class Parser {
 public:
  explicit Parser(absl::string_view text) : lexer_(text) {}

  std::shared_ptr<PromExpr> Parse(std::string* error) {
    if (!Advance()) return Done(error);
    auto e = Expr(0);
    if (e == nullptr) return Done(error);
    if (tok_.kind != Token::kEnd) {
      Error(absl::StrCat("unexpected ", Describe(tok_)));
      return Done(error);
    }
    return e;
  }

 private:
  std::shared_ptr<PromExpr> Done(std::string* error) {
    *error = error_;
    return nullptr;
  }

  bool Advance() {
    std::string e;
    if (!lexer_.Next(&tok_, &e)) {
      if (error_.empty()) error_ = e;
      return false;
    }
    return true;
  }

  std::nullptr_t Error(const std::string& what) {
    if (error_.empty()) error_ = absl::StrCat("1:", tok_.pos + 1, ": parse error: ", what);
    return nullptr;
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Token::kEnd:
        return "end of input";
      case Token::kIdent:
        return absl::StrCat("identifier \"", t.text, "\"");
      case Token::kNumber:
        return absl::StrCat("number \"", t.text, "\"");
      case Token::kDuration:
        return absl::StrCat("duration \"", t.text, "\"");
      case Token::kString:
        return absl::StrCat("string \"", t.text, "\"");
      case Token::kOp:
        return absl::StrCat("<op:", t.text, ">");
      case Token::kPunct:
        return absl::StrCat("\"", t.text, "\"");
    }
    return "token";
  }

  bool Is(Token::Kind k, absl::string_view text = "") const {
    return tok_.kind == k && (text.empty() || tok_.text == text);
  }
  bool IsWord(absl::string_view w) const {
    return tok_.kind == Token::kIdent && absl::EqualsIgnoreCase(tok_.text, w);
  }
  bool Expect(Token::Kind k, absl::string_view text) {
    if (!Is(k, text)) {
      Error(absl::StrCat("unexpected ", Describe(tok_), ", expected \"", text, "\""));
      return false;
    }
    return Advance();
  }

  // Binary expressions by precedence climbing; ^ is right-associative.
  std::shared_ptr<PromExpr> Expr(int min_prec) {
    auto lhs = Unary();
    if (lhs == nullptr) return nullptr;
    while (tok_.kind == Token::kOp && Precedence(tok_.text) > 0 &&
           Precedence(tok_.text) >= min_prec) {
      const std::string op = tok_.text;
      const int prec = Precedence(op);
      if (!Advance()) return nullptr;
      auto node = std::make_shared<PromExpr>();
      node->kind = PromExpr::kBinary;
      node->str = op;
      if (IsWord("bool")) {
        if (!IsComparison(op))
          return Error("bool modifier can only be used on comparison operators");
        node->return_bool = true;
        if (!Advance()) return nullptr;
      }
      if (IsWord("on") || IsWord("ignoring")) {
        node->has_matching = true;
        node->on = IsWord("on");
        if (!Advance() || !LabelList(&node->matching)) return nullptr;
        if (IsWord("group_left") || IsWord("group_right")) {
          node->card = IsWord("group_left") ? PromExpr::kManyToOne : PromExpr::kOneToMany;
          if (!Advance()) return nullptr;
          if (Is(Token::kPunct, "(") && !LabelList(&node->include)) return nullptr;
        }
      }
      auto rhs = Expr(op == "^" ? prec : prec + 1);
      if (rhs == nullptr) return nullptr;
      node->args = {lhs, rhs};
      if (!CheckBinary(*node)) return nullptr;
      lhs = node;
    }
    return lhs;
  }

  bool CheckBinary(const PromExpr& n) {
    const PromType l = TypeOf(*n.args[0]), r = TypeOf(*n.args[1]);
    if ((l != PromType::kScalar && l != PromType::kVector) ||
        (r != PromType::kScalar && r != PromType::kVector)) {
      Error(absl::StrCat("binary expression must contain only scalar and instant vector types"));
      return false;
    }
    if (IsSetOp(n.str) && (l != PromType::kVector || r != PromType::kVector)) {
      Error(absl::StrCat("set operator \"", n.str, "\" not allowed in binary scalar expression"));
      return false;
    }
    if (IsComparison(n.str) && l == PromType::kScalar && r == PromType::kScalar && !n.return_bool) {
      Error("comparisons between scalars must use BOOL modifier");
      return false;
    }
    if (n.has_matching && (l != PromType::kVector || r != PromType::kVector)) {
      Error("vector matching only allowed between instant vectors");
      return false;
    }
    return true;
  }

  bool LabelList(std::vector<std::string>* out) {
    if (!Expect(Token::kPunct, "(")) return false;
    while (!Is(Token::kPunct, ")")) {
      if (tok_.kind != Token::kIdent) {
        Error(absl::StrCat("unexpected ", Describe(tok_), " in grouping opts, expected label"));
        return false;
      }
      out->push_back(tok_.text);
      if (!Advance()) return false;
      if (Is(Token::kPunct, ",")) {
        if (!Advance()) return false;
      } else if (!Is(Token::kPunct, ")")) {
        Error(absl::StrCat("unexpected ", Describe(tok_),
                           " in grouping opts, expected \")\" or \",\""));
        return false;
      }
    }
    return Advance();
  }

  std::shared_ptr<PromExpr> Unary() {
    if (Is(Token::kOp, "-") || Is(Token::kOp, "+")) {
      const bool minus = tok_.text == "-";
      if (!Advance()) return nullptr;
      // Unary minus binds looser than ^: -2^2 is -(2^2).
      auto operand = Expr(6);
      if (operand == nullptr) return nullptr;
      const PromType t = TypeOf(*operand);
      if (t != PromType::kScalar && t != PromType::kVector) {
        return Error(
            "unary expression only allowed on expressions of type scalar or instant vector");
      }
      if (!minus) return operand;
      if (operand->kind == PromExpr::kNumber) {
        operand->number = -operand->number;
        return operand;
      }
      auto node = std::make_shared<PromExpr>();
      node->kind = PromExpr::kUnary;
      node->args = {operand};
      return node;
    }
    return Postfix(Primary());
  }

  // Range, subquery and offset suffixes.
  std::shared_ptr<PromExpr> Postfix(std::shared_ptr<PromExpr> e) {
    while (e != nullptr) {
      if (Is(Token::kPunct, "[")) {
        if (!Advance()) return nullptr;
        if (tok_.kind != Token::kDuration) {
          return Error(absl::StrCat("unexpected ", Describe(tok_),
                                    " in subquery or range selector, expected duration"));
        }
        const int64_t range = tok_.duration_ms;
        if (!Advance()) return nullptr;
        if (Is(Token::kPunct, ":")) {
          if (TypeOf(*e) != PromType::kVector && TypeOf(*e) != PromType::kScalar) {
            return Error("subquery is only allowed on instant vector");
          }
          if (!Advance()) return nullptr;
          int64_t step = 0;
          if (tok_.kind == Token::kDuration) {
            step = tok_.duration_ms;
            if (!Advance()) return nullptr;
          }
          if (!Expect(Token::kPunct, "]")) return nullptr;
          auto sub = std::make_shared<PromExpr>();
          sub->kind = PromExpr::kSubquery;
          sub->range_ms = range;
          sub->step_ms = step > 0 ? step : 60000;
          sub->args = {e};
          e = sub;
          continue;
        }
        if (!Expect(Token::kPunct, "]")) return nullptr;
        if (e->kind != PromExpr::kVectorSel || e->offset_ms != 0) {
          return Error("ranges only allowed for vector selectors");
        }
        if (range <= 0) return Error("range must be greater than zero");
        e->kind = PromExpr::kMatrixSel;
        e->range_ms = range;
        continue;
      }
      if (IsWord("offset")) {
        if (!Advance()) return nullptr;
        bool negative = false;
        if (Is(Token::kOp, "-")) {
          negative = true;
          if (!Advance()) return nullptr;
        }
        if (tok_.kind != Token::kDuration) {
          return Error(
              absl::StrCat("unexpected ", Describe(tok_), " in offset, expected duration"));
        }
        if (e->kind != PromExpr::kVectorSel && e->kind != PromExpr::kMatrixSel &&
            e->kind != PromExpr::kSubquery) {
          return Error(
              "offset modifier must be preceded by an instant vector selector or range vector "
              "selector or a subquery");
        }
        e->offset_ms = negative ? -tok_.duration_ms : tok_.duration_ms;
        if (!Advance()) return nullptr;
        continue;
      }
      break;
    }
    return e;
  }

  std::shared_ptr<PromExpr> Primary() {
    if (++depth_ > 200) return Error("expression nested too deeply");
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    auto node = std::make_shared<PromExpr>();
    if (tok_.kind == Token::kNumber) {
      node->kind = PromExpr::kNumber;
      node->number = tok_.number;
      if (!Advance()) return nullptr;
      return node;
    }
    if (tok_.kind == Token::kDuration) {
      // A duration stands only in brackets and after offset.
      return Error(absl::StrCat("unexpected ", Describe(tok_)));
    }
    if (tok_.kind == Token::kString) {
      node->kind = PromExpr::kString;
      node->str = tok_.text;
      if (!Advance()) return nullptr;
      return node;
    }
    if (Is(Token::kPunct, "(")) {
      if (!Advance()) return nullptr;
      auto inner = Expr(0);
      if (inner == nullptr) return nullptr;
      if (!Expect(Token::kPunct, ")")) return nullptr;
      // A parenthesised selector is no longer one: `(x)[5m]` is a subquery only.
      if (inner->kind == PromExpr::kVectorSel) {
        auto wrap = std::make_shared<PromExpr>();
        wrap->kind = PromExpr::kCall;
        wrap->str = "";  // Identity.
        wrap->args = {inner};
        return wrap;
      }
      return inner;
    }
    if (Is(Token::kPunct, "{")) return Selector("");
    if (tok_.kind == Token::kIdent) {
      const std::string name = tok_.text;
      const std::string lower = absl::AsciiStrToLower(name);
      ident_pos_ = tok_.pos;
      if (!Advance()) return nullptr;
      if (IsAggregation(lower) && (Is(Token::kPunct, "(") || IsWord("by") || IsWord("without"))) {
        return Aggregation(lower);
      }
      if (Is(Token::kPunct, "(")) return Call(name);
      return Selector(name);
    }
    return Error(absl::StrCat("unexpected ", Describe(tok_)));
  }

  std::shared_ptr<PromExpr> Selector(const std::string& name) {
    auto node = std::make_shared<PromExpr>();
    node->kind = PromExpr::kVectorSel;
    std::string error;
    if (!name.empty()) {
      LabelMatcher m;
      LabelMatcher::Make(LabelMatcher::kEq, "__name__", name, &m, &error);
      node->matchers.push_back(std::move(m));
    }
    if (Is(Token::kPunct, "{")) {
      if (!Advance()) return nullptr;
      while (!Is(Token::kPunct, "}")) {
        if (tok_.kind != Token::kIdent) {
          return Error(
              absl::StrCat("unexpected ", Describe(tok_), " in label matching, expected label"));
        }
        const std::string label = tok_.text;
        if (!Advance()) return nullptr;
        LabelMatcher::Op op;
        if (Is(Token::kOp, "=")) {
          op = LabelMatcher::kEq;
        } else if (Is(Token::kOp, "!=")) {
          op = LabelMatcher::kNe;
        } else if (Is(Token::kOp, "=~")) {
          op = LabelMatcher::kRe;
        } else if (Is(Token::kOp, "!~")) {
          op = LabelMatcher::kNre;
        } else {
          return Error(absl::StrCat("unexpected ", Describe(tok_),
                                    " in label matching, expected label matching operator"));
        }
        if (!Advance()) return nullptr;
        if (tok_.kind != Token::kString) {
          return Error(
              absl::StrCat("unexpected ", Describe(tok_), " in label matching, expected string"));
        }
        LabelMatcher m;
        if (!LabelMatcher::Make(op, label, tok_.text, &m, &error)) return Error(error);
        node->matchers.push_back(std::move(m));
        if (!Advance()) return nullptr;
        if (Is(Token::kPunct, ",")) {
          if (!Advance()) return nullptr;
        } else if (!Is(Token::kPunct, "}")) {
          return Error(absl::StrCat("unexpected ", Describe(tok_),
                                    " in label matching, expected \",\" or \"}\""));
        }
      }
      if (!Advance()) return nullptr;
    }
    bool any_non_empty = false;
    for (const LabelMatcher& m : node->matchers) any_non_empty = any_non_empty || !Matches({}, m);
    if (!any_non_empty) {
      return Error("vector selector must contain at least one non-empty matcher");
    }
    return node;
  }

  std::shared_ptr<PromExpr> Call(const std::string& name) {
    auto it = Functions().find(name);
    if (it == Functions().end()) {
      if (error_.empty()) {
        error_ = absl::StrCat("1:", ident_pos_ + 1, ": parse error: unknown function with name \"",
                              name, "\"");
      }
      return nullptr;
    }
    auto node = std::make_shared<PromExpr>();
    node->kind = PromExpr::kCall;
    node->str = name;
    if (!Expect(Token::kPunct, "(")) return nullptr;
    std::vector<size_t> arg_pos;
    while (!Is(Token::kPunct, ")")) {
      arg_pos.push_back(tok_.pos);
      auto arg = Expr(0);
      if (arg == nullptr) return nullptr;
      node->args.push_back(arg);
      if (Is(Token::kPunct, ",")) {
        if (!Advance()) return nullptr;
      } else if (!Is(Token::kPunct, ")")) {
        return Error(
            absl::StrCat("unexpected ", Describe(tok_), " in call, expected \",\" or \")\""));
      }
    }
    if (!Advance()) return nullptr;
    const FuncInfo& f = it->second;
    const size_t want = f.args.size();
    if (node->args.size() > want || node->args.size() + f.optional < want) {
      return Error(absl::StrCat("expected ", want, " argument(s) in call to \"", name, "\", got ",
                                node->args.size()));
    }
    for (size_t i = 0; i < node->args.size(); ++i) {
      const PromType got = TypeOf(*node->args[i]);
      if (got != f.args[i]) {
        static const char* kNames[] = {"scalar", "instant vector", "range vector", "string"};
        tok_.pos = arg_pos[i];
        return Error(absl::StrCat("expected type ", kNames[static_cast<int>(f.args[i])],
                                  " in call to function \"", name, "\", got ",
                                  kNames[static_cast<int>(got)]));
      }
    }
    return node;
  }

  std::shared_ptr<PromExpr> Aggregation(const std::string& op) {
    auto node = std::make_shared<PromExpr>();
    node->kind = PromExpr::kAggregate;
    node->str = op;
    auto grouping = [&]() -> bool {
      if (IsWord("by") || IsWord("without")) {
        node->without = IsWord("without");
        node->has_grouping = true;
        if (!Advance()) return false;
        return LabelList(&node->grouping);
      }
      return true;
    };
    if (!grouping()) return nullptr;
    if (!Expect(Token::kPunct, "(")) return nullptr;
    std::shared_ptr<PromExpr> param;
    if (AggregationTakesParam(op)) {
      param = Expr(0);
      if (param == nullptr) return nullptr;
      if (!Expect(Token::kPunct, ",")) return nullptr;
    }
    auto inner = Expr(0);
    if (inner == nullptr) return nullptr;
    if (!Expect(Token::kPunct, ")")) return nullptr;
    if (!node->has_grouping && !grouping()) return nullptr;
    if (TypeOf(*inner) != PromType::kVector) {
      return Error(absl::StrCat("expected type instant vector in aggregation expression, got ",
                                TypeOf(*inner) == PromType::kScalar ? "scalar" : "range vector"));
    }
    node->args = {inner};
    if (param != nullptr) {
      const PromType want = op == "count_values" ? PromType::kString : PromType::kScalar;
      if (TypeOf(*param) != want) {
        return Error(absl::StrCat("expected type ", want == PromType::kString ? "string" : "scalar",
                                  " in aggregation parameter"));
      }
      node->args.push_back(param);
    }
    return node;
  }

  Lexer lexer_;
  Token tok_;
  std::string error_;
  int depth_ = 0;
  size_t ident_pos_ = 0;
};

// ---- Evaluation.

using Vector = std::vector<PromPoint>;

Labels DropName(Labels l) {
  l.erase(std::remove_if(l.begin(), l.end(), [](const auto& p) { return p.first == "__name__"; }),
          l.end());
  return l;
}

std::string SignatureOf(const Labels& l, const std::vector<std::string>& names, bool on) {
  std::string sig;
  for (const auto& [n, v] : l) {
    const bool listed = std::find(names.begin(), names.end(), n) != names.end();
    if (on ? listed : (!listed && n != "__name__")) absl::StrAppend(&sig, n, "\x01", v, "\x02");
  }
  return sig;
}

double ApplyOp(const std::string& op, double a, double b, bool* keep) {
  *keep = true;
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  if (op == "*") return a * b;
  if (op == "/") return a / b;
  if (op == "%") return std::fmod(a, b);
  if (op == "^") return std::pow(a, b);
  bool r = false;
  if (op == "==") r = a == b;
  if (op == "!=") r = a != b;
  if (op == ">") r = a > b;
  if (op == "<") r = a < b;
  if (op == ">=") r = a >= b;
  if (op == "<=") r = a <= b;
  *keep = r;
  return r ? 1 : 0;
}

class Evaluator {
 public:
  Evaluator(const History& h, std::string* error) : h_(h), error_(error) {}

  bool Eval(const PromExpr& e, int64_t t, PromValue* out) {
    if (++points_ > kMaxTouched) {
      return Fail("query processing would load too many samples into memory in query execution");
    }
    switch (e.kind) {
      case PromExpr::kNumber:
        out->type = PromType::kScalar;
        out->scalar = e.number;
        return true;
      case PromExpr::kString:
        out->type = PromType::kString;
        out->str = e.str;
        return true;
      case PromExpr::kVectorSel:
        out->type = PromType::kVector;
        out->vector = Select(e, t);
        return true;
      case PromExpr::kMatrixSel:
        out->type = PromType::kMatrix;
        out->matrix = Range(e, t);
        return true;
      case PromExpr::kSubquery:
        return Subquery(e, t, out);
      case PromExpr::kUnary: {
        if (!Eval(*e.args[0], t, out)) return false;
        if (out->type == PromType::kScalar) {
          out->scalar = -out->scalar;
        } else {
          for (PromPoint& p : out->vector) {
            p.v = -p.v;
            p.metric = DropName(std::move(p.metric));
          }
        }
        return true;
      }
      case PromExpr::kBinary:
        return Binary(e, t, out);
      case PromExpr::kAggregate:
        return Aggregate(e, t, out);
      case PromExpr::kCall:
        return Call(e, t, out);
    }
    return false;
  }

 private:
  bool Fail(const std::string& what) {
    *error_ = what;
    return false;
  }

  Vector Select(const PromExpr& e, int64_t t) {
    Vector out;
    const int64_t at = t - e.offset_ms;
    const std::vector<const Series*> selected = h_.Select(e.matchers);
    points_ += static_cast<int64_t>(selected.size());
    for (const Series* s : selected) {
      auto it = std::upper_bound(s->samples.begin(), s->samples.end(), at,
                                 [](int64_t v, const Sample& a) { return v < a.t_ms; });
      if (it == s->samples.begin()) continue;
      --it;
      if (it->t_ms < at - kLookbackMs) continue;  // Prometheus 2.x: 5 minutes, inclusive.
      out.push_back({s->labels, it->v});
    }
    return out;
  }

  std::vector<Series> Range(const PromExpr& e, int64_t t) {
    std::vector<Series> out;
    const int64_t end = t - e.offset_ms, start = end - e.range_ms;
    for (const Series* s : h_.Select(e.matchers)) {
      auto lo = std::lower_bound(s->samples.begin(), s->samples.end(), start,
                                 [](const Sample& a, int64_t v) { return a.t_ms < v; });
      auto hi = std::upper_bound(lo, s->samples.end(), end,
                                 [](int64_t v, const Sample& a) { return v < a.t_ms; });
      if (lo == hi) continue;
      points_ += hi - lo;
      out.push_back({s->labels, std::vector<Sample>(lo, hi)});
    }
    return out;
  }

  bool Subquery(const PromExpr& e, int64_t t, PromValue* out) {
    const int64_t end = t - e.offset_ms, start = end - e.range_ms;
    // Steps aligned to multiples of the step, as Prometheus aligns them.
    int64_t first = start - ((start % e.step_ms) + e.step_ms) % e.step_ms;
    if (first < start) first += e.step_ms;
    if ((end - first) / e.step_ms + 1 > kMaxRangePoints) {
      return Fail(
          "exceeded maximum resolution of 11,000 points per timeseries in a subquery. "
          "Try a larger step");
    }
    std::map<Labels, std::vector<Sample>> by;
    for (int64_t at = first; at <= end; at += e.step_ms) {
      PromValue v;
      if (!Eval(*e.args[0], at, &v)) return false;
      if (v.type == PromType::kScalar) {
        by[{}].push_back({at, v.scalar});
      } else {
        for (PromPoint& p : v.vector) by[p.metric].push_back({at, p.v});
      }
    }
    out->type = PromType::kMatrix;
    out->matrix.clear();
    for (auto& [labels, samples] : by) out->matrix.push_back({labels, std::move(samples)});
    return true;
  }

  bool Binary(const PromExpr& e, int64_t t, PromValue* out) {
    PromValue l, r;
    if (!Eval(*e.args[0], t, &l) || !Eval(*e.args[1], t, &r)) return false;
    const std::string& op = e.str;
    bool keep = true;
    if (l.type == PromType::kScalar && r.type == PromType::kScalar) {
      out->type = PromType::kScalar;
      out->scalar = ApplyOp(op, l.scalar, r.scalar, &keep);
      return true;
    }
    out->type = PromType::kVector;
    out->vector.clear();
    const bool comparison = IsComparison(op);
    if (l.type == PromType::kScalar || r.type == PromType::kScalar) {
      const bool scalar_left = l.type == PromType::kScalar;
      Vector& v = scalar_left ? r.vector : l.vector;
      const double s = scalar_left ? l.scalar : r.scalar;
      for (PromPoint& p : v) {
        const double a = scalar_left ? s : p.v, b = scalar_left ? p.v : s;
        double value = ApplyOp(op, a, b, &keep);
        if (comparison && !e.return_bool) {
          if (!keep) continue;
          value = p.v;
        }
        if (!comparison || e.return_bool) p.metric = DropName(std::move(p.metric));
        p.v = value;
        out->vector.push_back(std::move(p));
      }
      return true;
    }
    const std::vector<std::string>& names = e.matching;
    const bool on = e.has_matching && e.on;
    auto sig = [&](const Labels& lb) { return SignatureOf(lb, names, on); };
    if (IsSetOp(op)) {
      std::set<std::string> right;
      for (const PromPoint& p : r.vector) right.insert(sig(p.metric));
      if (op == "and" || op == "unless") {
        for (PromPoint& p : l.vector) {
          if ((right.count(sig(p.metric)) != 0) == (op == "and"))
            out->vector.push_back(std::move(p));
        }
        return true;
      }
      std::set<std::string> left;
      for (PromPoint& p : l.vector) {
        left.insert(sig(p.metric));
        out->vector.push_back(std::move(p));
      }
      for (PromPoint& p : r.vector) {
        if (left.count(sig(p.metric)) == 0) out->vector.push_back(std::move(p));
      }
      return true;
    }
    // Vector matching: the "one" side keyed by signature.
    const bool right_is_one = e.card != PromExpr::kOneToMany;
    Vector& one = right_is_one ? r.vector : l.vector;
    Vector& many = right_is_one ? l.vector : r.vector;
    absl::flat_hash_map<std::string, const PromPoint*> index;
    for (const PromPoint& p : one) {
      if (!index.emplace(sig(p.metric), &p).second) {
        return Fail(absl::StrCat("found duplicate series for the match group on the ",
                                 right_is_one ? "right" : "left",
                                 " hand-side of the operation; many-to-many matching not allowed: "
                                 "matching labels must be unique on one side"));
      }
    }
    std::set<std::string> matched;
    for (PromPoint& p : many) {
      const std::string signature = sig(p.metric);
      auto it = index.find(signature);
      if (it == index.end()) continue;
      if (e.card == PromExpr::kOneToOne && !matched.insert(signature).second) {
        return Fail(
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
      }
      const PromPoint& o = *it->second;
      const double a = right_is_one ? p.v : o.v, b = right_is_one ? o.v : p.v;
      double value = ApplyOp(op, a, b, &keep);
      if (comparison && !e.return_bool) {
        if (!keep) continue;
        value = a;  // A filter keeps the left side's value.
      }
      // The result's labels, as Prometheus' resultMetric makes them: the "many" side's
      // (the left one for one-to-one), without the name for arithmetic, narrowed by on or
      // ignoring for one-to-one, with group_x's included labels from the other side.
      Labels metric = p.metric;
      if (!comparison || e.return_bool) metric = DropName(std::move(metric));
      if (e.card == PromExpr::kOneToOne && e.has_matching) {
        Labels kept;
        for (auto& lp : metric) {
          const bool listed = std::find(names.begin(), names.end(), lp.first) != names.end();
          if (listed == e.on) kept.push_back(lp);
        }
        metric = std::move(kept);
      }
      for (const std::string& inc : e.include) {
        const std::string& v = LabelValue(o.metric, inc);
        metric.erase(std::remove_if(metric.begin(), metric.end(),
                                    [&](const auto& lp) { return lp.first == inc; }),
                     metric.end());
        if (!v.empty()) metric.emplace_back(inc, v);
      }
      std::sort(metric.begin(), metric.end());
      out->vector.push_back({std::move(metric), value});
    }
    return true;
  }

  static Labels Group(const Labels& l, const PromExpr& e) {
    Labels out;
    for (const auto& p : l) {
      const bool listed =
          std::find(e.grouping.begin(), e.grouping.end(), p.first) != e.grouping.end();
      if (e.without ? (!listed && p.first != "__name__") : listed) out.push_back(p);
    }
    return out;
  }

  bool Aggregate(const PromExpr& e, int64_t t, PromValue* out) {
    PromValue in, param;
    if (!Eval(*e.args[0], t, &in)) return false;
    if (e.args.size() > 1 && !Eval(*e.args[1], t, &param)) return false;
    const std::string& op = e.str;
    out->type = PromType::kVector;
    out->vector.clear();
    std::map<Labels, std::vector<const PromPoint*>> groups;
    for (const PromPoint& p : in.vector) groups[Group(p.metric, e)].push_back(&p);
    if (op == "topk" || op == "bottomk") {
      const int64_t k = static_cast<int64_t>(param.scalar);
      for (auto& [labels, points] : groups) {
        std::stable_sort(points.begin(), points.end(), [&](const PromPoint* a, const PromPoint* b) {
          if (std::isnan(a->v)) return false;
          if (std::isnan(b->v)) return true;
          return op == "topk" ? a->v > b->v : a->v < b->v;
        });
        for (int64_t i = 0; i < k && i < static_cast<int64_t>(points.size()); ++i) {
          out->vector.push_back(*points[i]);
        }
      }
      return true;
    }
    if (op == "count_values") {
      std::map<Labels, double> counts;
      for (const PromPoint& p : in.vector) {
        Labels l = Group(p.metric, e);
        l.emplace_back(param.str, FormatPromValue(p.v));
        std::sort(l.begin(), l.end());
        counts[l] += 1;
      }
      for (auto& [l, c] : counts) out->vector.push_back({l, c});
      return true;
    }
    for (auto& [labels, points] : groups) {
      double v = 0;
      const double n = static_cast<double>(points.size());
      if (op == "sum") {
        for (const PromPoint* p : points) v += p->v;
      } else if (op == "avg") {
        for (const PromPoint* p : points) v += p->v;
        v /= n;
      } else if (op == "count") {
        v = n;
      } else if (op == "group") {
        v = 1;
      } else if (op == "min" || op == "max") {
        v = points[0]->v;
        for (const PromPoint* p : points) {
          if (std::isnan(v) || (op == "min" ? p->v < v : p->v > v)) v = p->v;
        }
      } else if (op == "stddev" || op == "stdvar") {
        double mean = 0;
        for (const PromPoint* p : points) mean += p->v;
        mean /= n;
        for (const PromPoint* p : points) v += (p->v - mean) * (p->v - mean);
        v /= n;
        if (op == "stddev") v = std::sqrt(v);
      } else if (op == "quantile") {
        std::vector<double> values;
        for (const PromPoint* p : points) values.push_back(p->v);
        v = Quantile(param.scalar, values);
      }
      out->vector.push_back({labels, v});
    }
    return true;
  }

  static double Quantile(double q, std::vector<double> values) {
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    if (q < 0) return -std::numeric_limits<double>::infinity();
    if (q > 1) return std::numeric_limits<double>::infinity();
    std::sort(values.begin(), values.end());
    const double rank = q * static_cast<double>(values.size() - 1);
    const size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
    const size_t upper = std::min(values.size() - 1, lower + 1);
    const double weight = rank - std::floor(rank);
    return values[lower] * (1 - weight) + values[upper] * weight;
  }

  // Prometheus' extrapolated rate, increase and delta.
  static bool Extrapolated(const Series& s, int64_t range_start, int64_t range_end, bool counter,
                           bool rate, double* out) {
    const std::vector<Sample>& p = s.samples;
    if (p.size() < 2) return false;
    double result = p.back().v - p.front().v;
    if (counter) {
      double last = p.front().v;
      for (const Sample& x : p) {
        if (x.v < last) result += last;
        last = x.v;
      }
    }
    double to_start = static_cast<double>(p.front().t_ms - range_start) / 1000;
    const double to_end = static_cast<double>(range_end - p.back().t_ms) / 1000;
    const double sampled = static_cast<double>(p.back().t_ms - p.front().t_ms) / 1000;
    const double average = sampled / static_cast<double>(p.size() - 1);
    if (counter && result > 0 && p.front().v >= 0) {
      const double to_zero = sampled * (p.front().v / result);
      if (to_zero < to_start) to_start = to_zero;
    }
    const double threshold = average * 1.1;
    double interval = sampled;
    interval += to_start < threshold ? to_start : average / 2;
    interval += to_end < threshold ? to_end : average / 2;
    result *= interval / sampled;
    if (rate) result /= static_cast<double>(range_end - range_start) / 1000;
    *out = result;
    return true;
  }

  bool Call(const PromExpr& e, int64_t t, PromValue* out) {
    const std::string& f = e.str;
    if (f.empty()) return Eval(*e.args[0], t, out);  // Parentheses.
    out->type = Functions().at(f).ret;
    out->vector.clear();
    if (f == "time") {
      out->scalar = static_cast<double>(t) / 1000;
      return true;
    }
    std::vector<PromValue> args(e.args.size());
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (!Eval(*e.args[i], t, &args[i])) return false;
    }
    if (f == "vector") {
      out->vector.push_back({{}, args[0].scalar});
      return true;
    }
    if (f == "scalar") {
      out->scalar = args[0].vector.size() == 1 ? args[0].vector[0].v
                                               : std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    const PromExpr& first = *e.args[0];
    if (args[0].type == PromType::kMatrix ||
        (args.size() > 1 && args[1].type == PromType::kMatrix)) {
      const PromValue& m = args[0].type == PromType::kMatrix ? args[0] : args[1];
      const PromExpr& sel = args[0].type == PromType::kMatrix ? first : *e.args[1];
      const int64_t end = t - sel.offset_ms;
      const int64_t start = end - sel.range_ms;
      for (const Series& s : m.matrix) {
        const std::vector<Sample>& p = s.samples;
        double v = 0;
        bool have = true;
        if (f == "rate" || f == "increase" || f == "delta") {
          have = Extrapolated(s, start, end, f != "delta", f == "rate", &v);
        } else if (f == "irate" || f == "idelta") {
          if (p.size() < 2) {
            have = false;
          } else {
            const Sample& a = p[p.size() - 2];
            const Sample& b = p.back();
            v = f == "irate" && b.v < a.v ? b.v : b.v - a.v;
            if (f == "irate") v /= static_cast<double>(b.t_ms - a.t_ms) / 1000;
          }
        } else if (f == "deriv") {
          if (p.size() < 2) {
            have = false;
          } else {
            // The least-squares slope, per second, against times relative to t.
            double n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0;
            for (const Sample& x : p) {
              const double tx = static_cast<double>(x.t_ms - t) / 1000;
              n += 1;
              sx += tx;
              sy += x.v;
              sxy += tx * x.v;
              sxx += tx * tx;
            }
            v = (n * sxy - sx * sy) / (n * sxx - sx * sx);
          }
        } else if (f == "changes" || f == "resets") {
          for (size_t i = 1; i < p.size(); ++i) {
            if (f == "changes" ? p[i].v != p[i - 1].v : p[i].v < p[i - 1].v) v += 1;
          }
        } else if (f == "avg_over_time") {
          for (const Sample& x : p) v += x.v;
          v /= static_cast<double>(p.size());
        } else if (f == "sum_over_time") {
          for (const Sample& x : p) v += x.v;
        } else if (f == "count_over_time") {
          v = static_cast<double>(p.size());
        } else if (f == "present_over_time") {
          v = 1;
        } else if (f == "last_over_time") {
          v = p.back().v;
        } else if (f == "min_over_time" || f == "max_over_time") {
          v = p[0].v;
          for (const Sample& x : p) {
            if (std::isnan(v) || (f == "min_over_time" ? x.v < v : x.v > v)) v = x.v;
          }
        } else if (f == "stddev_over_time" || f == "stdvar_over_time") {
          double mean = 0;
          for (const Sample& x : p) mean += x.v;
          mean /= static_cast<double>(p.size());
          for (const Sample& x : p) v += (x.v - mean) * (x.v - mean);
          v /= static_cast<double>(p.size());
          if (f == "stddev_over_time") v = std::sqrt(v);
        } else if (f == "quantile_over_time") {
          std::vector<double> values;
          for (const Sample& x : p) values.push_back(x.v);
          v = Quantile(args[0].scalar, values);
        }
        if (!have) continue;
        out->vector.push_back({f == "last_over_time" ? s.labels : DropName(s.labels), v});
      }
      return true;
    }
    if (f == "histogram_quantile") return HistogramQuantile(args[0].scalar, args[1].vector, out);
    if (f == "absent") {
      if (!args[0].vector.empty()) return true;
      Labels l;
      if (first.kind == PromExpr::kVectorSel) {
        for (const LabelMatcher& m : first.matchers) {
          if (m.op == LabelMatcher::kEq && m.name != "__name__") l.emplace_back(m.name, m.value);
        }
      }
      std::sort(l.begin(), l.end());
      out->vector.push_back({l, 1});
      return true;
    }
    if (f == "label_replace") {
      LabelMatcher m;
      std::string error;
      if (!LabelMatcher::Make(LabelMatcher::kRe, "", args[4].str, &m, &error)) {
        return Fail(absl::StrCat("invalid regular expression in label_replace(): ", args[4].str));
      }
      for (PromPoint& p : args[0].vector) {
        std::string src = LabelValue(p.metric, args[3].str);
        std::string replaced = args[2].str;
        // $1..$9 and ${1} from the match.
        if (RE2::FullMatch(src, *m.re)) {
          std::string result;
          re2::StringPiece subs[10];
          const int n = std::min(10, m.re->NumberOfCapturingGroups() + 1);
          m.re->Match(src, 0, src.size(), RE2::ANCHOR_BOTH, subs, n);
          for (size_t i = 0; i < replaced.size(); ++i) {
            if (replaced[i] == '$' && i + 1 < replaced.size()) {
              size_t j = i + 1;
              bool brace = replaced[j] == '{';
              if (brace) ++j;
              if (j < replaced.size() && absl::ascii_isdigit(replaced[j])) {
                const int g = replaced[j] - '0';
                if (g < n) result += std::string(subs[g]);
                i = j + (brace ? 1 : 0);
                continue;
              }
            }
            result += replaced[i];
          }
          Labels l;
          for (auto& lp : p.metric) {
            if (lp.first != args[1].str) l.push_back(lp);
          }
          if (!result.empty()) l.emplace_back(args[1].str, result);
          std::sort(l.begin(), l.end());
          p.metric = std::move(l);
        }
        out->vector.push_back(std::move(p));
      }
      return true;
    }
    // Functions of one instant vector.
    for (PromPoint& p : args[0].vector) {
      double v = p.v;
      if (f == "abs") v = std::fabs(v);
      if (f == "ceil") v = std::ceil(v);
      if (f == "floor") v = std::floor(v);
      if (f == "sqrt") v = std::sqrt(v);
      if (f == "exp") v = std::exp(v);
      if (f == "ln") v = std::log(v);
      if (f == "log2") v = std::log2(v);
      if (f == "log10") v = std::log10(v);
      if (f == "round") {
        const double to = args.size() > 1 ? args[1].scalar : 1;
        v = std::floor(v / to + 0.5) * to;
      }
      if (f == "clamp")
        v = args[2].scalar < args[1].scalar ? std::numeric_limits<double>::quiet_NaN()
                                            : std::max(args[1].scalar, std::min(args[2].scalar, v));
      if (f == "clamp_min") v = std::max(args[1].scalar, v);
      if (f == "clamp_max") v = std::min(args[1].scalar, v);
      if (f == "timestamp") v = TimestampOf(first, p, t);
      const bool keep_name = f == "sort" || f == "sort_desc";
      out->vector.push_back({keep_name ? std::move(p.metric) : DropName(std::move(p.metric)), v});
    }
    if (f == "sort" || f == "sort_desc") {
      std::stable_sort(out->vector.begin(), out->vector.end(),
                       [&](const PromPoint& a, const PromPoint& b) {
                         return f == "sort" ? a.v < b.v : a.v > b.v;
                       });
    }
    return true;
  }

  double TimestampOf(const PromExpr& sel, const PromPoint& p, int64_t t) {
    if (sel.kind != PromExpr::kVectorSel) return static_cast<double>(t) / 1000;
    for (const Series* s : h_.Select(sel.matchers)) {
      if (s->labels != p.metric) continue;
      const int64_t at = t - sel.offset_ms;
      auto it = std::upper_bound(s->samples.begin(), s->samples.end(), at,
                                 [](int64_t v, const Sample& a) { return v < a.t_ms; });
      if (it != s->samples.begin()) return static_cast<double>((it - 1)->t_ms) / 1000;
    }
    return static_cast<double>(t) / 1000;
  }

  static bool HistogramQuantile(double q, const Vector& in, PromValue* out) {
    struct Bucket {
      double upper;
      double count;
    };
    std::map<Labels, std::vector<Bucket>> groups;
    for (const PromPoint& p : in) {
      const std::string& le = LabelValue(p.metric, "le");
      double upper = 0;
      if (le.empty()) continue;
      if (le == "+Inf") {
        upper = std::numeric_limits<double>::infinity();
      } else if (!absl::SimpleAtod(le, &upper)) {
        continue;
      }
      Labels l;
      for (const auto& lp : p.metric) {
        if (lp.first != "le" && lp.first != "__name__") l.push_back(lp);
      }
      groups[l].push_back({upper, p.v});
    }
    for (auto& [labels, b] : groups) {
      double v;
      std::sort(b.begin(), b.end(),
                [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
      if (q < 0) {
        v = -std::numeric_limits<double>::infinity();
      } else if (q > 1) {
        v = std::numeric_limits<double>::infinity();
      } else if (b.size() < 2 || !std::isinf(b.back().upper)) {
        v = std::numeric_limits<double>::quiet_NaN();
      } else {
        for (size_t i = 1; i < b.size(); ++i) b[i].count = std::max(b[i].count, b[i - 1].count);
        const double total = b.back().count;
        if (total == 0 || std::isnan(total)) {
          v = std::numeric_limits<double>::quiet_NaN();
        } else {
          double rank = q * total;
          size_t i = 0;
          while (i < b.size() - 1 && b[i].count < rank) ++i;
          if (i == b.size() - 1) {
            v = b[b.size() - 2].upper;
          } else if (i == 0 && b[0].upper <= 0) {
            v = b[0].upper;
          } else {
            double start = 0, count = b[i].count;
            if (i > 0) {
              start = b[i - 1].upper;
              count -= b[i - 1].count;
              rank -= b[i - 1].count;
            }
            v = start + (b[i].upper - start) * (rank / count);
          }
        }
      }
      out->vector.push_back({labels, v});
    }
    return true;
  }

  // What one query may touch (series selected, samples read, nodes evaluated), so that a
  // query cannot hold the model lock for long; Prometheus' own bound is 50 million samples.
  static constexpr int64_t kMaxTouched = 5'000'000;

  const History& h_;
  std::string* error_;
  int64_t points_ = 0;
};

}  // namespace

PromType TypeOf(const PromExpr& e) {
  switch (e.kind) {
    case PromExpr::kNumber:
      return PromType::kScalar;
    case PromExpr::kString:
      return PromType::kString;
    case PromExpr::kVectorSel:
      return PromType::kVector;
    case PromExpr::kMatrixSel:
    case PromExpr::kSubquery:
      return PromType::kMatrix;
    case PromExpr::kAggregate:
      return PromType::kVector;
    case PromExpr::kUnary:
      return TypeOf(*e.args[0]);
    case PromExpr::kCall:
      return e.str.empty() ? TypeOf(*e.args[0]) : Functions().at(e.str).ret;
    case PromExpr::kBinary:
      return TypeOf(*e.args[0]) == PromType::kScalar && TypeOf(*e.args[1]) == PromType::kScalar
                 ? PromType::kScalar
                 : PromType::kVector;
  }
  return PromType::kScalar;
}

bool IsSelector(const PromExpr& e) {
  if (e.kind == PromExpr::kCall && e.str.empty()) return IsSelector(*e.args[0]);
  return e.kind == PromExpr::kVectorSel;
}

std::vector<const Series*> SelectorSeries(const History& h, const PromExpr& e) {
  if (e.kind == PromExpr::kCall && e.str.empty()) return SelectorSeries(h, *e.args[0]);
  if (e.kind != PromExpr::kVectorSel) return {};
  return h.Select(e.matchers);
}

std::shared_ptr<const PromExpr> ParsePromQL(absl::string_view text, std::string* error) {
  if (text.size() > 64 * 1024) {
    *error = "query too long";
    return nullptr;
  }
  Parser p(text);
  std::shared_ptr<PromExpr> e = p.Parse(error);
  if (e == nullptr && error->empty()) *error = "1:1: parse error: unknown";
  return e;
}

bool EvalInstant(const PromExpr& e, const History& h, int64_t t_ms, PromValue* out,
                 std::string* error) {
  Evaluator ev(h, error);
  *out = PromValue();
  return ev.Eval(e, t_ms, out);
}

bool EvalRange(const PromExpr& e, const History& h, int64_t start_ms, int64_t end_ms,
               int64_t step_ms, PromValue* out, std::string* error) {
  const PromType type = TypeOf(e);
  if (type != PromType::kScalar && type != PromType::kVector) {
    *error = absl::StrCat("invalid expression type \"",
                          type == PromType::kMatrix ? "range vector" : "string",
                          "\" for range query, must be Scalar or instant Vector");
    return false;
  }
  if (step_ms <= 0 || (end_ms - start_ms) / step_ms + 1 > kMaxRangePoints) {
    *error =
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
        "query resolution (?step=XX)";
    return false;
  }
  Evaluator ev(h, error);
  std::map<Labels, std::vector<Sample>> by;
  for (int64_t t = start_ms; t <= end_ms; t += step_ms) {
    PromValue v;
    if (!ev.Eval(e, t, &v)) return false;
    if (v.type == PromType::kScalar) {
      by[{}].push_back({t, v.scalar});
    } else {
      for (PromPoint& p : v.vector) by[p.metric].push_back({t, p.v});
    }
  }
  *out = PromValue();
  out->type = PromType::kMatrix;
  for (auto& [labels, samples] : by) out->matrix.push_back({labels, std::move(samples)});
  return true;
}

}  // namespace sim
}  // namespace sre_eval
