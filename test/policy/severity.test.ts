import { describe, expect, it } from 'vitest';
import { meetsSeverity, severityLabel, severityOf } from '../../src/policy/severity.js';
import type { Severity } from '../../src/policy/types.js';

describe('meetsSeverity: a route with min_severity hears a breach at least that loud', () => {
  it.each<[Severity, Severity, boolean]>([
    ['critical', 'critical', true],
    ['critical', 'low', true],
    ['high', 'critical', false],
    ['high', 'high', true],
    ['medium', 'high', false],
    ['medium', 'medium', true],
    ['low', 'medium', false],
    ['low', 'low', true],
  ])('%s against min %s: %s', (s, min, heard) => {
    expect(meetsSeverity(s, min)).toBe(heard);
  });
});

describe('severityOf: the loudest breached trigger', () => {
  it.each<[string, { breached: boolean; severity: Severity }[], Severity | undefined]>([
    ['none breached', [{ breached: false, severity: 'critical' }], undefined],
    ['no evidence', [], undefined],
    [
      'a quiet breach beside a loud one that held',
      [
        { breached: true, severity: 'low' },
        { breached: false, severity: 'critical' },
      ],
      'low',
    ],
    [
      'two breaches',
      [
        { breached: true, severity: 'medium' },
        { breached: true, severity: 'critical' },
      ],
      'critical',
    ],
  ])('%s', (_, evidence, loudest) => {
    expect(severityOf(evidence)).toBe(loudest);
  });

  it('labels the incident with it', () => {
    expect(severityLabel('critical')).toBe('severity:critical');
  });
});
