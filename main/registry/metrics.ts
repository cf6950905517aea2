// Prometheus metrics (prom-client) with distribution's names where they exist, on a registry of
// our own so two registries in one process (tests) do not collide.
import { Counter, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';

export class RegistryMetrics {
  readonly registry = new PromRegistry();
  private readonly requests = new Counter({
    name: 'registry_http_requests_total',
    help: 'HTTP requests by handler, method and status code.',
    labelNames: ['handler', 'method', 'code'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'registry_http_request_duration_seconds',
    help: 'HTTP request latency by handler and method.',
    labelNames: ['handler', 'method'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'berth_' });
  }

  observe = (handler: string, method: string, status: number, seconds: number): void => {
    this.requests.inc({ handler, method, code: String(status) });
    this.duration.observe({ handler, method }, seconds);
  };
}
