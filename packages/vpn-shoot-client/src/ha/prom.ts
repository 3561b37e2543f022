/**
 * The four prom-client classes the controllers use, from their own modules: the package's index also
 * loads the push gateway (https, tls, zlib), cluster aggregation and the default process metrics, which
 * cost a controller several MB of resident memory (docs/measurements.md) for nothing it serves. The
 * modules have no declarations of their own; each is the class the index exports under that name.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment -- untyped require() calls, which the bundler follows, typed here */
import type * as PromClient from 'prom-client';

export const Counter: typeof PromClient.Counter = require('prom-client/lib/counter');
export const Gauge: typeof PromClient.Gauge = require('prom-client/lib/gauge');
export const Histogram: typeof PromClient.Histogram = require('prom-client/lib/histogram');
export const Registry: typeof PromClient.Registry = require('prom-client/lib/registry');
