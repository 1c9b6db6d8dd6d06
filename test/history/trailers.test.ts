import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  parseTrailers,
  readAuditRecord,
  rollbackId,
  rollbackMessage,
  sanitizeTrailerValue,
} from '../../src/history/trailers.js';

const trailers = {
  service: 'support-agent',
  from: '2.4.0',
  to: '2.3.3',
  reason: 'error_spike',
  stage: 'canary',
  evidence: ['error_rate=0.071>0.05', 'latency_p95_ms=2100>1800'],
  policy: `sha256:${'a'.repeat(64)}`,
  actor: 'pinback run',
  run: undefined,
  id: rollbackId('support-agent', '2.4.0', '2.3.3', 'deadbeef'),
};

describe('rollback commit message', () => {
  const message = rollbackMessage(trailers, 'error_rate 0.071 > max 0.05 (sustained 3 samples).');

  it('has the subject of DESIGN.md', () => {
    expect(message.split('\n')[0]).toBe('rollback(support-agent): 2.4.0 -> 2.3.3 [error_spike]');
  });

  it('parses with git interpret-trailers --parse', () => {
    const parsed = execFileSync('git', ['interpret-trailers', '--parse'], {
      input: message,
      encoding: 'utf8',
    });
    expect(parsed).toContain('Rollback-Service: support-agent\n');
    expect(parsed).toContain('Rollback-Evidence: latency_p95_ms=2100>1800\n');
    expect(parsed).toContain(`Rollback-Id: ${trailers.id}\n`);
  });

  it('reads back into the same record', () => {
    expect(readAuditRecord(message)).toMatchObject({
      kind: 'rollback',
      service: 'support-agent',
      from: '2.4.0',
      to: '2.3.3',
      reason: 'error_spike',
      evidence: trailers.evidence,
      id: trailers.id,
    });
  });

  it('cannot be forged by a newline in a value', () => {
    const forged = rollbackMessage({ ...trailers, reason: 'x\nRollback-To: 0.0.1-evil' }, 'because');
    const parsed = execFileSync('git', ['interpret-trailers', '--parse'], {
      input: forged,
      encoding: 'utf8',
    });
    expect(parsed.match(/^Rollback-To:/gm)).toHaveLength(1);
    expect(readAuditRecord(forged)!.to).toBe('2.3.3');
  });
});

describe('trailer helpers', () => {
  it('flattens control characters', () => {
    expect(sanitizeTrailerValue('a\r\nb\tc\u2028d')).toBe('a b c d');
  });

  it('gives a stable 16-hex id per service, versions and pin commit', () => {
    expect(trailers.id).toMatch(/^[0-9a-f]{16}$/);
    expect(rollbackId('support-agent', '2.4.0', '2.3.3', 'deadbeef')).toBe(trailers.id);
    expect(rollbackId('support-agent', '2.4.0', '2.3.3', 'cafe')).not.toBe(trailers.id);
  });

  it('ignores a last paragraph that is not all trailers', () => {
    expect(parseTrailers('subject\n\nRollback-From: x\nnot a trailer').size).toBe(0);
  });
});

describe('reading records', () => {
  it('ignores a record whose id is not 16 hex digits (ids name files and branches)', () => {
    const forged = rollbackMessage({ ...trailers, id: '../../../etc/x' }, 'x');
    expect(readAuditRecord(forged)).toBeUndefined();
  });
});
