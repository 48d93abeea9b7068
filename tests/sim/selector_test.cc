#include "sim/store/selector.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {
namespace {

using nlohmann::json;

constexpr char kNameRegexError[] =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

TEST(SimSelectorLabelTest, MatchesEveryOperator) {
  const json labels = {{"name", "carts"}, {"tier", "backend"}, {"version", "3"}};
  struct {
    const char* selector;
    bool want;
  } cases[] = {
      {"", true},
      {"name=carts", true},
      {"name==carts", true},
      {"name=orders", false},
      {"name!=orders", true},
      {"name!=carts", false},
      {"missing!=x", true},
      {"tier in (backend,frontend)", true},
      {"tier in (frontend)", false},
      {"missing in (a)", false},
      {"tier notin (frontend)", true},
      {"tier notin (backend, frontend)", false},
      {"missing notin (a)", true},
      {"name", true},
      {"missing", false},
      {"!missing", true},
      {"!name", false},
      {"version>2", true},
      {"version<3", false},
      {"name=carts,tier=backend", true},
      {"name=carts,tier=frontend", false},
      {"  name = carts ,  tier in ( backend ) ", true},
      {"name in (in,notin,carts)", true},
      {"missing=", false},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(s.ok()) << c.selector << ": " << s.status();
    EXPECT_EQ(s->Matches(labels), c.want) << c.selector;
  }
}

TEST(SimSelectorLabelTest, NullLabels) {
  auto s = LabelSelector::Parse("a!=b,!c,d notin (e)");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches(json()));
  auto t = LabelSelector::Parse("a");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->Matches(json()));
  EXPECT_TRUE(LabelSelector().Matches(json()));
}

TEST(SimSelectorLabelTest, EmptyValueMatchesEmptyLabel) {
  auto s = LabelSelector::Parse("a=");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches(json{{"a", ""}}));
  EXPECT_FALSE(s->Matches(json{{"a", "x"}}));
}

TEST(SimSelectorLabelTest, ToStringIsCanonical) {
  struct {
    const char* selector;
    const char* want;
  } cases[] = {
      {"", ""},
      {"name=carts", "name=carts"},
      {"tier in (b, a),name==x", "name==x,tier in (a,b)"},
      {"z notin (q),!y,a", "a,!y,z notin (q)"},
      {"b!=c", "b!=c"},
      {"v>1", "v>1"},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(s.ok()) << c.selector << ": " << s.status();
    EXPECT_EQ(s->ToString(), c.want) << c.selector;
  }
}

TEST(SimSelectorLabelTest, MalformedSelectorsGiveTheServerText) {
  struct {
    const char* selector;
    std::string want;
  } cases[] = {
      {"a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"},
      {"a=b c", "found 'c', expected: ',' or 'end of string'"},
      {"a,", "found '', expected: identifier after ','"},
      {",a", "found ',', expected: !, identifier, or 'end of string'"},
      {"=a", "found '=', expected: !, identifier, or 'end of string'"},
      {"a in b", "unable to parse requirement: found 'b' expected: '('"},
      {"a in (b", "unable to parse requirement: found '', expected: ',' or ')'"},
      {"a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"},
      {"a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
      {"a==(b)", "unable to parse requirement: found '(', expected: identifier"},
      {"!a=b", "found '=', expected: ',' or 'end of string'"},
      {"!", "unable to parse requirement: found '', expected: identifier"},
      {"a=b=c", "found '=', expected: ',' or 'end of string'"},
      {"a >",
       "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, "
       "the value must be an integer"},
      {"a:b=c", std::string("unable to parse requirement: <nil>: Invalid value: \"a:b\": ")
                    .append(kNameRegexError)},
      {"app=a@b",
       "unable to parse requirement: values[0][app]: Invalid value: \"a@b\": a valid label must "
       "be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
       "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
       "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
      {"a/b/c",
       "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must "
       "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
       "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
       "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
       "subdomain prefix and '/' (e.g. 'example.com/MyName')"},
      {"v>x",
       "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, "
       "the value must be an integer"},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_FALSE(s.ok()) << c.selector;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.selector;
    EXPECT_EQ(s.status().message(), c.want) << c.selector;
  }
}

TEST(SimSelectorLabelTest, PrefixedKeys) {
  auto s = LabelSelector::Parse("app.kubernetes.io/name=carts");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->Matches(json{{"app.kubernetes.io/name", "carts"}}));
  auto bad = LabelSelector::Parse("Example.com/name=carts");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unable to parse requirement: <nil>: Invalid value: \"Example.com/name\": prefix part "
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
            "'-' or '.', and must start and end with an alphanumeric character (e.g. "
            "'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
}

TEST(SimSelectorLabelTest, FromJson) {
  auto s = LabelSelector::FromJson(json::parse(R"({
    "matchLabels": {"name": "carts"},
    "matchExpressions": [
      {"key": "tier", "operator": "In", "values": ["web", "backend"]},
      {"key": "canary", "operator": "DoesNotExist"},
      {"key": "zone", "operator": "NotIn", "values": ["b"]},
      {"key": "app", "operator": "Exists"}
    ]})"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->ToString(), "app,!canary,name=carts,tier in (backend,web),zone notin (b)");
  EXPECT_TRUE(s->Matches(json{{"name", "carts"}, {"tier", "web"}, {"app", "x"}}));
  EXPECT_FALSE(s->Matches(json{{"name", "carts"}, {"tier", "web"}}));
  EXPECT_FALSE(s->Matches(json{{"name", "carts"}, {"tier", "web"}, {"app", "x"}, {"canary", ""}}));
  EXPECT_FALSE(s->Matches(json{{"name", "carts"}, {"tier", "web"}, {"app", "x"}, {"zone", "b"}}));

  auto only_labels = LabelSelector::FromJson(json{{"matchLabels", {{"name", "carts"}}}});
  ASSERT_TRUE(only_labels.ok());
  EXPECT_EQ(only_labels->ToString(), "name=carts");

  auto everything = LabelSelector::FromJson(json::object());
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->Empty());
  EXPECT_TRUE(everything->Matches(json{{"a", "b"}}));
}

TEST(SimSelectorLabelTest, FromJsonErrors) {
  struct {
    const char* selector;
    const char* want;
  } cases[] = {
      {R"({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})",
       "\"Gt\" is not a valid label selector operator"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})",
       "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be "
       "empty"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})",
       "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not "
       "exist"},
      {R"({"matchLabels": {"a b": "c"}})", "key: Invalid value: \"a b\": "},
      {R"([1])", "label selector must be an object"},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::FromJson(json::parse(c.selector));
    ASSERT_FALSE(s.ok()) << c.selector;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    if (std::string(c.want).back() == ' ') {
      EXPECT_EQ(s.status().message(), std::string(c.want) + kNameRegexError) << c.selector;
    } else {
      EXPECT_EQ(s.status().message(), c.want) << c.selector;
    }
  }
}

json Event(const std::string& name, const std::string& reason) {
  return {{"metadata", {{"name", name + ".17f1"}, {"namespace", "sock-shop"}}},
          {"involvedObject", {{"kind", "Pod"}, {"name", name}, {"namespace", "sock-shop"}}},
          {"reason", reason},
          {"type", "Warning"},
          {"source", {{"component", "kubelet"}}}};
}

TEST(SimSelectorFieldTest, EventsByInvolvedObject) {
  auto s = FieldSelector::Parse("involvedObject.name=carts-1,type!=Normal", "events");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->Matches(Event("carts-1", "BackOff")));
  EXPECT_FALSE(s->Matches(Event("orders-1", "BackOff")));

  auto by_source = FieldSelector::Parse("source=kubelet,reason==BackOff", "events");
  ASSERT_TRUE(by_source.ok()) << by_source.status();
  EXPECT_TRUE(by_source->Matches(Event("carts-1", "BackOff")));
  EXPECT_FALSE(by_source->Matches(Event("carts-1", "Pulled")));
}

TEST(SimSelectorFieldTest, PodsByPhaseAndNode) {
  json running = {{"metadata", {{"name", "a"}, {"namespace", "ns"}}},
                  {"spec", {{"nodeName", "node-1"}}},
                  {"status", {{"phase", "Running"}}}};
  json pending = {{"metadata", {{"name", "b"}, {"namespace", "ns"}}}, {"spec", json::object()}};
  struct {
    const char* selector;
    bool want_running;
    bool want_pending;
  } cases[] = {
      {"", true, true},
      {"status.phase=Running", true, false},
      {"status.phase!=Running", false, true},
      {"status.phase=", false, true},
      {"spec.nodeName=node-1", true, false},
      {"spec.nodeName=", false, true},
      {"metadata.name=b", false, true},
      {"metadata.namespace=ns,metadata.name!=b", true, false},
      {"spec.hostNetwork=false", true, true},
      {"status.phase=Running,", true, false},
  };
  for (const auto& c : cases) {
    auto s = FieldSelector::Parse(c.selector, "pods");
    ASSERT_TRUE(s.ok()) << c.selector << ": " << s.status();
    EXPECT_EQ(s->Matches(running), c.want_running) << c.selector;
    EXPECT_EQ(s->Matches(pending), c.want_pending) << c.selector;
  }
}

TEST(SimSelectorFieldTest, TypedFieldsOfOtherResources) {
  auto rs = FieldSelector::Parse("status.replicas=0", "replicasets");
  ASSERT_TRUE(rs.ok());
  EXPECT_TRUE(rs->Matches(json{{"status", json::object()}}));
  EXPECT_FALSE(rs->Matches(json{{"status", {{"replicas", 2}}}}));
  auto nodes = FieldSelector::Parse("spec.unschedulable=true", "nodes");
  ASSERT_TRUE(nodes.ok());
  EXPECT_TRUE(nodes->Matches(json{{"spec", {{"unschedulable", true}}}}));
  EXPECT_FALSE(nodes->Matches(json{{"spec", json::object()}}));
}

TEST(SimSelectorFieldTest, EscapedValues) {
  auto s = FieldSelector::Parse("metadata.name=a\\,b\\=c", "configmaps");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->requirements().size(), 1u);
  EXPECT_EQ(s->requirements()[0].value, "a,b=c");
  EXPECT_TRUE(s->Matches(json{{"metadata", {{"name", "a,b=c"}}}}));
}

TEST(SimSelectorFieldTest, Errors) {
  struct {
    const char* selector;
    const char* resource;
    const char* want;
  } cases[] = {
      {"spec.replicas=1", "deployments", "field label not supported: spec.replicas"},
      {"status.phase=Running", "deployments", "field label not supported: status.phase"},
      {"involvedObject.name=x", "pods", "field label not supported: involvedObject.name"},
      {"metadata.namespace=x", "nodes", "field label not supported: metadata.namespace"},
      {"metadata.labels=x", "events", "field label not supported: metadata.labels"},
      {"status.phase", "pods", "invalid selector: 'status.phase'; can't understand 'status.phase'"},
      {"a=b,c", "pods", "invalid selector: 'a=b,c'; can't understand 'c'"},
  };
  for (const auto& c : cases) {
    auto s = FieldSelector::Parse(c.selector, c.resource);
    ASSERT_FALSE(s.ok()) << c.selector;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.selector;
    EXPECT_EQ(s.status().message(), c.want) << c.selector;
  }
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
