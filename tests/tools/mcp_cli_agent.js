// A minimal MCP-capable agent CLI for agents/mcp.yaml's test: reads the MCP server
// configuration ("mcpServers"), starts the server with the official TypeScript SDK's stdio
// client, investigates with two tool calls and prints its answer.
// Usage: node mcp_cli_agent.js NPM_DIR CONFIG_FILE PROMPT
const [npmDir, configFile, prompt] = process.argv.slice(2);
const fs = require("fs");
const sdk = npmDir + "/node_modules/@modelcontextprotocol/sdk/dist/cjs/client/";
const { Client } = require(sdk + "index.js");
const { StdioClientTransport } = require(sdk + "stdio.js");

async function main() {
  const server = JSON.parse(fs.readFileSync(configFile, "utf8")).mcpServers["sre-eval"];
  const client = new Client({ name: "mcp-cli-agent", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: server.command, args: server.args, stderr: "ignore" }));
  const payment = await client.callTool({ name: "kubectl", arguments: { args: ["get", "deployment", "payment", "-o", "jsonpath={.spec.replicas}"] } });
  const failed = await client.callTool({ name: "loki_query_range", arguments: { query: '{app="orders"} |= "PAYMENT_FAILED"', limit: 5000, start: "0" } });
  const lines = JSON.parse(failed.content[0].text).data.result.reduce((n, s) => n + s.values.length, 0);
  await client.close();
  console.log(`Asked: ${prompt.split("\n")[0]}\nThe payment deployment has ${payment.content[0].text} replicas now; ` +
              `Loki holds ${lines} orders log lines naming PAYMENT_FAILED.`);
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
