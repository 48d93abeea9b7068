// Drives the sim's Datadog API with the official client (@datadog/datadog-api-client), as an
// agent given a Datadog site would: Logs Search with the guide's facet syntax, a metrics
// query, and the events. Prints what it found as one JSON object.
// Usage: node datadog_client.js NPM_DIR BASE_URL FROM TO
const [npmDir, baseUrl, from, to] = process.argv.slice(2);
const { client, v1, v2 } = require(npmDir + "/node_modules/@datadog/datadog-api-client");

const configuration = client.createConfiguration({
  authMethods: { apiKeyAuth: "sre-eval-test-key", appKeyAuth: "sre-eval-test-app-key" },
  baseServer: new client.BaseServerConfiguration(baseUrl, {}),
});

async function main() {
  const logs = await new v2.LogsApi(configuration).listLogs({
    body: {
      filter: {
        query: 'kube_namespace:sock-shop service:front-end "App now running in production mode"',
        from: new Date(Number(from) * 1000).toISOString(),
        to: new Date(Number(to) * 1000).toISOString(),
      },
      page: { limit: 100 },
      sort: "timestamp",
    },
  });
  const restarts = await new v1.MetricsApi(configuration).queryMetrics({
    from: Number(from),
    to: Number(to),
    query: "max:kubernetes.containers.restarts{kube_namespace:sock-shop,kube_container_name:front-end}",
  });
  // APM's request duration, as the guide asks for it: p95 of the front-end's requests.
  const p95 = await new v1.MetricsApi(configuration).queryMetrics({
    from: Number(from),
    to: Number(to),
    query: "p95:trace.http.request.duration{kube_namespace:sock-shop,service:front-end} by {service}",
  });
  const p95Points = p95.series.flatMap((s) => s.pointlist.map((p) => p[1]));
  const events = await new v1.EventsApi(configuration).listEvents({
    start: Number(from),
    end: Number(to),
  });
  const points = restarts.series[0].pointlist;
  console.log(JSON.stringify({
    startup_lines: logs.data.length,
    first_is_earliest: logs.data.length > 1 &&
        logs.data[0].attributes.timestamp < logs.data[1].attributes.timestamp,
    restarts_at_end: points[points.length - 1][1],
    back_off_events: events.events.filter((e) => e.text.startsWith("BackOff:")).length,
    trace_p95_in_buckets: p95Points.length > 0 && p95Points.every((v) => v > 0 && v <= 10),
    trace_services: p95.series.map((s) => s.tagSet.join(",").replace("service:", "")),
  }));
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
