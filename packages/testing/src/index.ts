export { createTestDatabase, dropRunDatabases, prepareTemplateDatabase, type TestDatabase } from './databases';
export { openTestRedis } from './redis';
export { waitFor } from './wait-for';
export * from './fakes/hubspot';
export { FakeServer, type ScriptedAnswer, type RecordedRequest } from './fakes/fake-server';
export { createCustomSink, type CustomSink } from './fakes/custom-sink';
export * from './fakes/salesforce';
export { parsePrometheusText, sampleValue, type MetricFamily, type Sample } from './prometheus-text';
export { startSmtpSink, type SmtpSink, type ReceivedMail } from './fakes/smtp-sink';
