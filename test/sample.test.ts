// The field sidebar's counts over the first rows of a search (Engine.summarizeFields' `first`,
// issue 14's "Field sidebar").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';

describe('counting over the first rows', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine.close());

  it('counts the first rows the search returns, as head does, and only them', async () => {
    const first = await engine.summarizeFields('eventName=AssumeRole', { now: SAMPLE_NOW, first: 30 }, ['eventName', 'userName'], ['eventID']);
    const head = await engine.summarizeFields('eventName=AssumeRole | head 30', { now: SAMPLE_NOW }, ['eventName', 'userName'], ['eventID']);
    expect(first.rows).toBe(30);
    expect(first).toEqual(head);
    const all = await engine.summarizeFields('eventName=AssumeRole', { now: SAMPLE_NOW }, ['eventName']);
    expect(all.rows).toBe(101);
    // Fewer rows than asked for: all of them.
    expect((await engine.summarizeFields('eventName=AssumeRole', { now: SAMPLE_NOW, first: 1000 }, ['eventName'])).rows).toBe(101);
  });
});
