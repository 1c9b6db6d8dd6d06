/**
 * `pinback demo` agrees with itself: the minute its incident says the candidate degraded in holds
 * the moment the demo announces, and the limits in the incident say where they come from.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { demo } from '../../src/commands/demo.js';

describe('pinback demo', () => {
  let root: string | undefined;
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('says when the candidate degrades, and its incident dates the breach to that minute', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    expect(await demo(sink)).toBe(0);
    root = /^pinback demo in (\S+)$/m.exec(out)?.[1];

    const announced = /degrades (\d+) s after its deploy/.exec(out);
    expect(announced, out).not.toBeNull();
    const onset = Number(announced![1]);
    const degraded =
      /\| Degraded \| `[^`]+` \| first breaching step[^|]*: began between (\d+) and (\d+) s after the pin \|/.exec(
        out,
      );
    expect(degraded, out).not.toBeNull();
    const [from, to] = [Number(degraded![1]), Number(degraded![2])];
    expect(from).toBeLessThan(onset);
    expect(onset).toBeLessThanOrEqual(to);
    expect(to - from).toBe(60);

    expect(out).toMatch(
      /\| `errors` \|[^\n]*\| `<= 0\.006\d* \(stable 0\.005\d* \+ 20%\)` \| \*\*yes\*\* \|/,
    );
    // The trailers keep their contract.
    expect(out).toMatch(/Rollback-Evidence: errors=0\.0\d+>0\.006\d*/);
  });
});
