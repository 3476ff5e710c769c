export { FakeGraph, createFakeGraph, FAKE_PAGE_TOKEN, type FakeGraphLead } from './fake-graph';
