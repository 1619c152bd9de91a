import type { Metric, Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;
interface Exported {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: { value: number; labels: Labels; metricName?: string }[];
}

/**
 * Metrics updated once per record or event. prom-client hashes the labels on every inc/observe
 * (microseconds per event, measured); these keep plain numbers per label set, looked up by a key the
 * caller holds, and are read by the registry only when `/metrics` is scraped.
 */
abstract class HotMetric<S> {
  protected readonly series = new Map<string, { readonly labels: Labels; readonly state: S }>();

  constructor(readonly name: string, readonly help: string, registry: Registry) {
    // The registry takes any object with a name and get(); prom-client types only its own classes.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The state of one label set, created on first use. */
  at(key: string, labels: () => Labels): S {
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: labels(), state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  protected abstract initial(): S;
  abstract get(): Promise<Exported>;
}

export class HotCounter extends HotMetric<{ value: number }> {
  protected initial(): { value: number } {
    return { value: 0 };
  }
  get(): Promise<Exported> {
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values: [...this.series.values()].map((s) => ({ value: s.state.value, labels: s.labels })) });
  }
}

export class HotGauge extends HotMetric<{ value: number }> {
  protected initial(): { value: number } {
    return { value: 0 };
  }
  get(): Promise<Exported> {
    return Promise.resolve({ name: this.name, help: this.help, type: 'gauge', aggregator: 'sum', values: [...this.series.values()].map((s) => ({ value: s.state.value, labels: s.labels })) });
  }
}

export interface HistogramState {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class HotHistogram extends HotMetric<HistogramState> {
  constructor(name: string, help: string, registry: Registry, private readonly bounds: readonly number[]) {
    super(name, help, registry);
  }

  observe(state: HistogramState, value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    state.counts[i] = (state.counts[i] ?? 0) + 1;
    state.sum += value;
    state.count++;
  }

  protected initial(): HistogramState {
    return { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  get(): Promise<Exported> {
    const values: Exported['values'] = [];
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += state.counts[i] ?? 0;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: String(bound) }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: state.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: state.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: state.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values });
  }
}
