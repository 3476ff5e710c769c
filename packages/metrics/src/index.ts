export { ProcessMetrics, type AttemptOutcome, type MetricsOptions } from './process-metrics';
export { registerQueueGauges, type QueueBacklog, type QueueSource } from './queue-gauges';
export { serveMetrics, startMetricsEndpoint, portOf } from './serve-metrics';
