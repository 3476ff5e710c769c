export { ProcessMetrics, type AttemptOutcome, type MetricsOptions } from './process-metrics';
export { registerQueueGauges, type QueueSource } from './queue-gauges';
export { serveMetrics, startMetricsEndpoint, portOf } from './serve-metrics';
