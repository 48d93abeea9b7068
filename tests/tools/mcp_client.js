// Drives `sre-eval mcp` with the official MCP TypeScript SDK's client, as an MCP-capable agent
// would: over stdio (the client starts the server) and over Streamable HTTP (the server started
// with --http 0, its URL read from its first line). Lists the tools and calls every one, then
// prints what it saw as one JSON object per transport.
// Usage: node mcp_client.js NPM_DIR SRE_EVAL_BINARY AUDIT_FILE
const [npmDir, bin, auditFile] = process.argv.slice(2);
const { spawn } = require("child_process");
const sdk = npmDir + "/node_modules/@modelcontextprotocol/sdk/dist/cjs/client/";
const { Client } = require(sdk + "index.js");
const { StdioClientTransport } = require(sdk + "stdio.js");
const { StreamableHTTPClientTransport } = require(sdk + "streamableHttp.js");

// What a result looks like, not what it holds (outputs vary with the clock; their shape does
// not): a JSON object's keys, else its first line, cut.
function head(result) {
  const text = result.content[0].text;
  try {
    const doc = JSON.parse(text);
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return "keys " + Object.keys(doc).sort().join(",");
  } catch (e) {}
  return text.split("\n")[0].slice(0, 60);
}

async function exercise(client) {
  const tools = await client.listTools();
  const seen = { server: client.getServerVersion().name, tools: tools.tools.map((t) => t.name) };
  seen.read_only = tools.tools.every((t) => t.annotations && t.annotations.readOnlyHint === true);
  const now = Math.floor(Date.now() / 1000);
  const calls = [
    ["kubectl", { args: ["get", "deployments", "-o", "name"] }],
    ["kubectl", { args: ["delete", "pod", "front-end"] }],
    ["kubectl", { args: ["get", "pods", "--kubeconfig=/etc/passwd"] }],
    ["http_get", { service: "catalogue", path: "/catalogue?size=1" }],
    ["http_get", { service: "catalogue", path: "/../../api/v1/secrets" }],
    ["prometheus_query", { query: "count(kube_deployment_spec_replicas)" }],
    ["prometheus_query_range",
      { query: "sum(kube_deployment_spec_replicas)", start: String(now - 300), end: String(now), step: "60s" }],
    ["loki_query_range", { query: '{app="front-end"} |= "App now running"', limit: 1 }],
    ["datadog_logs_search", { query: "service:front-end", limit: 1 }],
    ["datadog_metrics_query", { query: "max:kubernetes.containers.running{kube_namespace:sock-shop}", from: now - 300, to: now }],
    ["kubectl", { args: "get pods" }],
  ];
  seen.calls = [];
  for (const [name, args] of calls) {
    const r = await client.callTool({ name, arguments: args });
    seen.calls.push([name, r.isError === true, head(r)]);
  }
  try {
    await client.callTool({ name: "rm_rf", arguments: {} });
    seen.unknown_tool = "no error";
  } catch (e) {
    seen.unknown_tool = String(e.message);
  }
  return seen;
}

async function viaStdio() {
  const client = new Client({ name: "sre-eval-test", version: "1.0.0" });
  await client.connect(new StdioClientTransport({
    command: bin, args: ["mcp", "--seed", "3", "--audit", auditFile], stderr: "ignore",
  }));
  const seen = await exercise(client);
  await client.close();
  return seen;
}

async function viaHttp() {
  const server = spawn(bin, ["mcp", "--seed", "3", "--http", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/mcp)/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error("sre-eval mcp exited with " + code)));
  });
  try {
    const client = new Client({ name: "sre-eval-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    const seen = await exercise(client);
    seen.session = typeof transport.sessionId === "string" && transport.sessionId.length === 32;
    await transport.terminateSession();
    await client.close();
    return seen;
  } finally {
    server.kill("SIGTERM");
  }
}

async function main() {
  console.log(JSON.stringify({ stdio: await viaStdio() }));
  console.log(JSON.stringify({ http: await viaHttp() }));
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
