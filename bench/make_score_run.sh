#!/bin/bash
# Writes a run folder of ANSWERS answers of about 1.5 KB into DIR, for the score benchmarks:
# the three fixture truths, and responses.jsonl made of the graded example answers of every
# prompt, each extended with the prompt's other answers to about 1.5 KB.
# Usage: bench/make_score_run.sh DIR ANSWERS
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run="${1:?usage: bench/make_score_run.sh DIR ANSWERS}"
answers="${2:?usage: bench/make_score_run.sh DIR ANSWERS}"
for incident in crash latency payment; do
  mkdir -p "$run/$incident"
  cp "$root/fixtures/truths/$incident.json" "$run/$incident/truth.json"
done
python3 - "$root" "$run/responses.jsonl" "$answers" <<'PY'
import glob, json, os, sys
import yaml  # python3-yaml
root, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
incidents = {"i1": "crash", "i2": "latency", "i3": "payment"}
items = []
for path in sorted(glob.glob(os.path.join(root, "fixtures/graded/*.yaml"))):
    doc = yaml.safe_load(open(path))
    texts = [a["text"] for a in doc["answers"]]
    for i, t in enumerate(texts):
        j = 1
        while len(t.encode()) < 1536:
            t += "\n\n" + texts[(i + j) % len(texts)]
            j += 1
        items.append((doc["prompt"], t.encode()[:1536].decode("utf-8", "ignore")))
with open(out, "w") as f:
    for n in range(total):
        prompt, text = items[n % len(items)]
        f.write(json.dumps({"schema_version": 1, "incident": incidents[prompt[:2]],
                            "prompt_id": prompt, "trial": n + 1,
                            "answer": text, "status": "ok", "latency_ms": 1000}) + "\n")
PY
