export { syntheticRecords as makeRecords } from '../../src/demo/synthetic-records.js';
