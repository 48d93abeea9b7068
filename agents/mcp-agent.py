#!/usr/bin/env python3
"""Runs an MCP-capable agent CLI on one sre-eval question (agents/mcp.yaml).

Reads sre-eval's request (JSON) from stdin, writes an MCP server configuration that starts
`sre-eval mcp --env kube` on the request's cluster and monitoring, and runs the CLI named by
MCP_AGENT_ARGV (a JSON list; "{config}" and "{prompt}" are replaced) with it. The CLI's
stdout is the answer. The configuration lives in a temporary folder, removed afterwards.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    request = json.load(sys.stdin)
    argv_template = json.loads(os.environ.get("MCP_AGENT_ARGV", "null") or "null")
    if not isinstance(argv_template, list) or not argv_template:
        sys.exit("mcp-agent.py: set MCP_AGENT_ARGV to your agent CLI's argv as a JSON list")
    cluster = request.get("cluster", {})
    monitoring = request.get("monitoring", {})
    args = ["mcp", "--env", "kube", "--namespace", cluster.get("namespace", "sock-shop")]
    if cluster.get("kubeconfig"):
        args += ["--kubeconfig", cluster["kubeconfig"]]
    if cluster.get("context"):
        args += ["--context", cluster["context"]]
    if monitoring.get("prometheus"):
        args += ["--prometheus", monitoring["prometheus"]]
    if monitoring.get("loki"):
        args += ["--loki", monitoring["loki"]]
    # sre-eval hands each question a file for its tools' calls: the run's audit trail.
    if os.environ.get("SRE_EVAL_AUDIT_FILE"):
        args += ["--audit", os.environ["SRE_EVAL_AUDIT_FILE"]]
    sre_eval = os.environ.get("SRE_EVAL_BINARY") or shutil.which("sre-eval") or "sre-eval"
    config = {"mcpServers": {"sre-eval": {"command": sre_eval, "args": args}}}
    prompt = request.get("message", "")
    if request.get("window"):
        prompt += "\n\nIncident window: %s to %s (UTC)." % (
            request["window"].get("start", "?"), request["window"].get("end", "?"))
    with tempfile.TemporaryDirectory(prefix="sre-eval-mcp-agent-") as tmp:
        path = os.path.join(tmp, "mcp.json")
        with open(path, "w") as f:
            json.dump(config, f)
        argv = [a.replace("{config}", path).replace("{prompt}", prompt) for a in argv_template]
        sys.exit(subprocess.run(argv).returncode)


if __name__ == "__main__":
    main()
