#!/bin/sh
# What `sre-eval mcp` adds to a tool call: N prometheus_query calls through the MCP server on
# stdio (its own sim), against the same N queries sent straight to the sim's Prometheus API
# over one keep-alive connection, in one run. Prints both, per call, and their difference.
#
#   bench/mcp_calls.sh [BUILD_DIR] [N]
set -eu
build=${1:-build}
n=${2:-500}
python3 - "$build/harness/sre-eval" "$n" <<'PY'
import http.client, json, subprocess, sys, time, urllib.parse
binary, n = sys.argv[1], int(sys.argv[2])
p = subprocess.Popen([binary, "mcp", "--seed", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True, bufsize=1)
line = p.stderr.readline()  # "... cluster at http://127.0.0.1:PORT (seed 1); kubeconfig ..."
port = int(line.split("http://127.0.0.1:")[1].split()[0])
def call(msg):
    p.stdin.write(json.dumps(msg) + "\n")
    return json.loads(p.stdout.readline())
call({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}})
p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
query = "sum by (pod) (container_memory_working_set_bytes)"
t0 = time.perf_counter()
for i in range(n):
    r = call({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
              "params": {"name": "prometheus_query", "arguments": {"query": query}}})
    assert not r["result"]["isError"], r
mcp = (time.perf_counter() - t0) / n
c = http.client.HTTPConnection("127.0.0.1", port)
path = "/prometheus/api/v1/query?" + urllib.parse.urlencode({"query": query})
t0 = time.perf_counter()
for i in range(n):
    c.request("GET", path)
    body = c.getresponse().read()
    assert body.startswith(b'{"status":"success"'), body[:80]
direct = (time.perf_counter() - t0) / n
p.stdin.close()
p.wait(timeout=30)
print(f"{n} calls: through sre-eval mcp {mcp * 1e3:.3f} ms each, straight to the API "
      f"{direct * 1e3:.3f} ms each: the MCP server adds {(mcp - direct) * 1e3:.3f} ms a call")
PY
