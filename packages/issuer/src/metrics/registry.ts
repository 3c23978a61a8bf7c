// Prometheus text exposition (format 0.0.4) for the few series the issuer
// keeps. Label values come from configuration (client ids, grant types,
// error codes), never from request input, so the series count is bounded.

type Labels = Record<string, string>;

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class MetricsRegistry {
  readonly #counters = new Map<string, Map<string, number>>();
  readonly #help = new Map<string, string>();
  readonly #histograms = new Map<string, Map<string, Histogram>>();

  counter(name: string, help: string, labels: Labels, by = 1): void {
    this.#help.set(name, help);
    let series = this.#counters.get(name);
    if (series === undefined) {
      series = new Map();
      this.#counters.set(name, series);
    }
    const key = labelText(labels);
    series.set(key, (series.get(key) ?? 0) + by);
  }

  observe(name: string, help: string, labels: Labels, seconds: number): void {
    this.#help.set(name, help);
    let series = this.#histograms.get(name);
    if (series === undefined) {
      series = new Map();
      this.#histograms.set(name, series);
    }
    const key = labelText(labels);
    let histogram = series.get(key);
    if (histogram === undefined) {
      histogram = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      series.set(key, histogram);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) histogram.counts[i] = (histogram.counts[i] as number) + 1;
    histogram.sum += seconds;
    histogram.count += 1;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.#counters) {
      lines.push(`# HELP ${name} ${this.#help.get(name) ?? ""}`, `# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}${labels === "" ? "" : `{${labels}}`} ${value}`);
    }
    for (const [name, series] of this.#histograms) {
      lines.push(`# HELP ${name} ${this.#help.get(name) ?? ""}`, `# TYPE ${name} histogram`);
      for (const [labels, histogram] of series) {
        const prefix = labels === "" ? "" : `${labels},`;
        BUCKETS.forEach((bound, i) => {
          lines.push(`${name}_bucket{${prefix}le="${bound}"} ${histogram.counts[i]}`);
        });
        lines.push(`${name}_bucket{${prefix}le="+Inf"} ${histogram.count}`);
        lines.push(`${name}_sum${labels === "" ? "" : `{${labels}}`} ${histogram.sum}`);
        lines.push(`${name}_count${labels === "" ? "" : `{${labels}}`} ${histogram.count}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");
}
