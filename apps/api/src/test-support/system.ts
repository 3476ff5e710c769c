import type { Express } from 'express';
import * as harness from '@crm-push/testing';
import { createApp } from '../app';

/**
 * The shared in-process system (@crm-push/testing) running this api: its tests call these, so
 * the harness itself needs no dependency on the app.
 */
export type TestSystem = harness.TestSystem<Express>;

export const startSystem = (opts?: harness.SystemOptions): Promise<TestSystem> => harness.startSystem(createApp, opts);

export const useSystemWithSink = (opts?: harness.SystemWithSinkOptions): harness.SystemWithSink<Express> => harness.useSystemWithSink(createApp, opts);
