/**
 * The value of a Prometheus metric scraped from `<baseUrl>/metrics`: the sum of its series whose labels
 * contain `labels` (e.g. `path="product"`; empty: every series), 0 when there is none. Series carry the
 * services' default labels (`service`, `instance`), so a series line is matched by name, not by shape.
 */
export async function readMetric(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
