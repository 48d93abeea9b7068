#!/bin/bash
# How much faster `sre-eval score` is than promptfoo 0.121 doing equivalent assertions on the
# same answers (bench/make_score_run.sh: ANSWERS of about 1.5 KB over the 16 prompts). Target:
# at least 60 times faster. sre-eval scores the run folder with --no-judge --jobs 2. promptfoo
# evaluates a generated config: per prompt a scenario of its answers and a test with, per
# criterion of the rubric, assertions of comparable work: terms groups -> icontains-any (a `*`
# suffix dropped), forbid claims -> not-icontains-any, forbid denies -> a javascript negation
# regex, regex -> regex (made case-insensitive), number/time/ids -> javascript extracting the
# values next to the cues and comparing them with truth.json's; judge criteria are skipped. A
# provider file returns the stored answer (no model, no network). promptfoo runs with
# --max-concurrency 2, no cache, sharing, telemetry or database writes, twice: with its
# defaults, and with PROMPTFOO_DISABLE_TEMPLATING=1, which saves it most of its config loading
# (0.121 builds a Nunjucks environment per string of the config); the target holds against the
# faster. Prints whole-process wall-clock times (sre-eval best of 5, promptfoo best of 3: its
# times vary by a third from run to run on a busy machine),
# answers/s, the ratios and the assertions per answer; exits non-zero on errors, not on ratios.
# promptfoo@0.121 (the newest 0.121.x) is installed once with npm into
# ${XDG_CACHE_HOME:-~/.cache}/sre-eval-bench/promptfoo and reused; needs node 20+ and npm.
# Usage: bench/promptfoo_ratio.sh [BUILD_DIR] [ANSWERS]   (ANSWERS default 2000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
answers="${2:-2000}"
binary="$build/harness/sre-eval"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/sre-eval-bench/promptfoo"
promptfoo="$cache/node_modules/.bin/promptfoo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[[ -x "$binary" ]] || { echo "no sre-eval binary at $binary (make build)" >&2; exit 2; }
command -v npm >/dev/null || { echo "npm is needed (node 20 or newer)" >&2; exit 2; }

# The promptfoo install, once.
installed() {
  node -p 'require(process.argv[1]).version' "$cache/node_modules/promptfoo/package.json" \
    2>/dev/null | grep -q '^0\.121\.'
}
if ! installed; then
  mkdir -p "$cache"
  [[ -f "$cache/package.json" ]] || echo '{"private": true}' >"$cache/package.json"
  echo "installing promptfoo@0.121 into $cache ..."
  start=$(date +%s)
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error promptfoo@0.121 >/dev/null)
  installed || { echo "promptfoo@0.121 did not install in $cache" >&2; exit 3; }
  echo "installed in $(($(date +%s) - start)) s"
fi

# promptfoo stays offline, writes no debug log (in its favour) and leaves nothing outside $work.
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_DISABLE_SHARING=1 \
  PROMPTFOO_DISABLE_REMOTE_GENERATION=1 PROMPTFOO_DISABLE_RUNTIME_WARNINGS=1 \
  PROMPTFOO_CACHE_ENABLED=false PROMPTFOO_CONFIG_DIR="$work/promptfoo-home" \
  PROMPTFOO_CACHE_PATH="$work/promptfoo-cache" PROMPTFOO_LOG_DIR="$work/promptfoo-logs" \
  PROMPTFOO_DISABLE_DEBUG_LOG=1 PROMPTFOO_FAILED_TEST_EXIT_CODE=0 NO_COLOR=1

run="$work/run"
"$root/bench/make_score_run.sh" "$run" "$answers"

# The promptfoo config, from responses.jsonl, the rubrics and the truths; prints the average
# number of assertions per answer. Not named promptfooconfig.*: promptfoo would also load it as
# the default config of the folder it runs in.
mkdir "$work/promptfoo"
per_answer="$(python3 - "$root" "$run" "$work/promptfoo/config.json" <<'PY'
import json, re, sys
import yaml  # python3-yaml
root, run, out = sys.argv[1:4]
truths = {}

def fact(facts, path):
    if path in facts:
        return facts[path]
    m = re.fullmatch(r"(.+)\[(\w+)=([^\]]+)\]\.(\w+)", path)  # list[key=value].field
    if m:
        return next(x[m[4]] for x in facts[m[1]] if str(x[m[2]]) == m[3])
    sys.exit(f"promptfoo_ratio: unknown fact {path}")

def values(facts, c):  # the truth values of a number/time/ids criterion
    v = fact(facts, c["fact"])
    if "field" in c:
        return [x[c["field"]] for x in v]
    return [v] + [fact(facts, a) for a in c.get("also", [])]

def phrase_re(p):  # a rubric phrase as a JS regex: '*' a word prefix, ' '/'-' any run of them
    body = re.sub(r"\\[ -]", r"[\\s-]+", re.escape(p.rstrip("*")))
    return body + (r"\w*" if p.endswith("*") else r"(?!\w)")

def stars_dropped(phrases):  # icontains matches substrings: "restart*" -> "restart"
    return [p.rstrip("*") for p in phrases]

def cues_re(phrases):
    return r"\b(?:" + "|".join(phrase_re(p) for p in phrases) + ")" if phrases else ""

def ignore_case(pattern):  # promptfoo's regex has no flags: [aA] for each letter outside []
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2]); i += 2; continue
        in_class = (in_class or ch == "[") and ch != "]"
        out.append(f"[{ch.lower()}{ch.upper()}]" if ch.isalpha() and not in_class else ch)
        i += 1
    return "".join(out)

def seconds(t):  # "1m", "30s", 90 -> seconds
    m = re.fullmatch(r"([\d.]+)\s*([smh]?)", str(t))
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]

def js(body, **consts):
    return {"type": "javascript", "value": "".join(
        f"const {k} = {json.dumps(v)};\n" for k, v in consts.items()) + body}

NUMBER = r"""const num = "(\\d[\\d,]*(?:\\.\\d+)?)", gap = "\\W+(?:\\w+\\W+){0,3}?";
const re = new RegExp(cues + gap + num + "|(?<![\\w.])" + num + "[a-z%]*" + gap + cues, "gi");
let claims = 0, right = 0;
for (const m of output.matchAll(re)) {
  claims++;
  const v = parseFloat((m[1] || m[2]).replace(/,/g, ""));
  if (truth.some((t) => Math.abs(v - t) <= tolerance)) right++;
}
return {pass: right > 0, score: +(right > 0), reason: right + "/" + claims + " numbers right"};"""
TIME = r"""const cue = new RegExp(cues, "i");
let claims = 0, right = 0;
for (const sentence of output.split(/[.!?\n]+(?:\s|$)/)) {
  if (!cue.test(sentence)) continue;
  for (const m of sentence.matchAll(/(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?/gi)) {
    let hour = +m[1];
    if (m[4]) hour = (hour % 12) + (m[4].toLowerCase() === "pm" ? 12 : 0);
    const t = hour * 3600 + +m[2] * 60 + (+m[3] || 0);
    claims++;
    if (truth.some((x) => Math.abs(x - t) <= tolerance)) right++;
  }
}
return {pass: right > 0, score: +(right > 0), reason: right + "/" + claims + " times right"};"""
IDS = r"""const re = new RegExp("\\b(?:" + shape + ")\\b", "g");
const found = new Set(output.toLowerCase().match(re) || []);
const hits = truth.filter((id) => found.has(id)).length;
const recall = truth.length ? hits / truth.length : 0;
const reason = hits + " of " + found.size + " ids real";
return {pass: recall > 0 && hits === found.size, score: recall, reason};"""
DENIES = r"""const negation = "\\b(?:no|not|never|none|without|zero|nor|neither|nothing|\\w+n't)";
const re = new RegExp(negation + "\\W+(?:\\w+\\W+){0,3}?" + phrases, "i");
return !re.test(output);"""

def assertions(prompt, facts):
    # BaseLoader: every scalar a string, as sre-eval reads them (the phrase 500, the reply no).
    doc = yaml.load(open(f"{root}/rubrics/{prompt}.yaml"), Loader=yaml.BaseLoader)
    result = []
    for dim in doc["dimensions"].values():
        for c in dim["criteria"]:
            if "terms" in c:
                for group in c["terms"].get("any", []) + c["terms"].get("all", []):
                    result.append({"type": "icontains-any", "value": stars_dropped(group)})
            elif "forbid" in c:
                for group in c["forbid"].get("claims", []):
                    result.append({"type": "not-icontains-any", "value": stars_dropped(group)})
                for group in c["forbid"].get("denies", []):
                    result.append(js(DENIES, phrases=cues_re(group)))
            elif "regex" in c:
                result.append({"type": "regex", "value": ignore_case(c["regex"])})
            elif "number" in c:
                n = c["number"]
                truth = [float(re.match(r"-?[\d.]+", str(v))[0]) for v in values(facts, n)]
                result.append(js(NUMBER, cues=cues_re(n["cues"]), truth=truth,
                                 tolerance=float(n.get("tolerance", 0))))
            elif "time" in c:
                t = c["time"]
                truth = [int(v[11:13]) * 3600 + int(v[14:16]) * 60 + int(v[17:19])
                         for v in values(facts, t)]  # ISO 8601 UTC: time of day
                result.append(js(TIME, cues=cues_re(t.get("cues", [])) or "(?:)", truth=truth,
                                 tolerance=seconds(t.get("tolerance", 0))))
            elif "ids" in c:
                i = c["ids"]
                result.append(js(IDS, shape=i["shape"],
                                 truth=sorted({str(v).lower() for v in values(facts, i)})))
    return result  # judge criteria: skipped (sre-eval runs with --no-judge)

scenarios = {}  # per prompt: its answers as var sets x one test with the rubric's assertions
for line in open(f"{run}/responses.jsonl"):
    answer = json.loads(line)
    prompt, incident = key = (answer["prompt_id"], answer["incident"])
    if incident not in truths:
        truths[incident] = json.load(open(f"{run}/{incident}/truth.json"))["facts"]
    if key not in scenarios:
        scenarios[key] = {"description": prompt, "config": [],
                          "tests": [{"assert": assertions(prompt, truths[incident])}]}
    scenarios[key]["config"].append({"vars": {"answer": answer["answer"]}})
json.dump({"description": "sre-eval rubrics as promptfoo assertions", "prompts": ["{{answer}}"],
           "providers": ["file://provider.mjs"], "scenarios": list(scenarios.values())},
          open(out, "w"))
total = sum(len(s["config"]) * len(s["tests"][0]["assert"]) for s in scenarios.values())
print(f"{total / sum(len(s['config']) for s in scenarios.values()):.1f}")
PY
)"
cat >"$work/promptfoo/provider.mjs" <<'JS'
// The stored answer as the model's output: no model, no network.
export default class StoredAnswer {
  id() { return "stored-answer"; }
  async callApi(prompt, context) { return { output: context.vars.answer }; }
}
JS

# best TIMES CMD...: the shortest wall-clock time of TIMES runs of CMD, in microseconds. CMD's
# output goes to $work/log, shown when it fails.
best() {
  local times="$1" shortest=0 start t i
  shift
  for ((i = 0; i < times; i++)); do
    start=$(date +%s%N)
    "$@" >"$work/log" 2>&1 || { echo "failed: $*" >&2; tail -5 "$work/log" >&2; return 1; }
    t=$((($(date +%s%N) - start) / 1000))
    ((shortest == 0 || t < shortest)) && shortest=$t
  done
  echo "$shortest"
}
score() { "$binary" score --suite "$root" --no-judge --jobs 2 "$run"; }
# evaluate OUT [NAME=VALUE]...: promptfoo eval into $work/OUT with these variables set.
evaluate() {
  local out="$1"
  shift
  (cd "$work/promptfoo" && env "$@" "$promptfoo" eval -c config.json -o "$work/$out" \
    --no-progress-bar --max-concurrency 2 --no-cache --no-share --no-write --no-table)
}

sre_us="$(best 5 score)"
default_us="$(best 3 evaluate default.json)"
plain_us="$(best 3 evaluate plain.json PROMPTFOO_DISABLE_TEMPLATING=1)"

# promptfoo must have graded every answer as stored with every assertion, alike in both setups.
checked="$(python3 - "$work" "$answers" <<'PY'
import json, sys
passed, seconds = [], []
for name in "default", "plain":
    out = json.load(open(f"{sys.argv[1]}/{name}.json"))["results"]
    assert len(out["results"]) == int(sys.argv[2]), f"{len(out['results'])} results in {name}"
    for r in out["results"]:
        # promptfoo hands the provider a var without its trailing newline; nothing else changes.
        assert r["response"]["output"].rstrip() == r["vars"]["answer"].rstrip(), "answer changed"
        assert r.get("failureReason") != 2, r.get("error")  # 2: an error, not a failed assertion
    parts = [c["pass"] for r in out["results"] for c in r["gradingResult"]["componentResults"]]
    passed.append((len(parts), sum(parts)))
    seconds.append(f"{out['stats']['durationMs'] / 1000:.1f} s")
assert passed[0] == passed[1], f"the setups disagree: {passed}"
print(f"{passed[0][0]} assertions graded ({passed[0][1]} passed) in each setup; its evaluator",
      f"reports {' and '.join(seconds)} of the last runs")
PY
)" || { echo "promptfoo's output is not what was asked" >&2; exit 1; }

sre_version="$("$binary" --version 2>/dev/null || echo "sre-eval (version unknown)")"
pf_version="promptfoo $(node -p 'require(process.argv[1]).version' \
  "$cache/node_modules/promptfoo/package.json")"
echo "$answers answers of about 1.5 KB over 16 prompts, $per_answer promptfoo assertions per answer"
echo "promptfoo: $checked"
awk -v n="$answers" -v s="$sre_us" -v d="$default_us" -v p="$plain_us" -v sv="$sre_version" \
  -v pv="$pf_version" 'BEGIN {
  s /= 1e6; d /= 1e6; p /= 1e6
  f = "%-46s %8.3f s %6.0f answers/s\n"
  printf f, sv " (score, best of 5)", s, n / s
  printf f, pv " (eval, best of 3)", d, n / d
  printf f, pv ", templating off (best of 3)", p, n / p
  printf "ratio promptfoo / sre-eval: %.0fx (defaults), %.0fx (templating off); target: 60x\n",
    d / s, p / s }'
