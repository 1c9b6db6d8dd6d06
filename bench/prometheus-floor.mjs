// The floor of bench/prometheus.mjs: the queries a pinback run sent (recorded by the proxy),
// replayed as fast as a minimal client can, CONCURRENCY at a time. Prints what came back.
//
//   node bench/prometheus-floor.mjs QUERIES.json BASE_URL CONCURRENCY
import { readFileSync } from 'node:fs';

const [file, base, concurrency] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(file, 'utf8'));
let next = 0;
let empty = 0;
let failed = 0;
async function worker() {
  while (next < queries.length) {
    const q = queries[next++];
    const res = await fetch(base + q.path, {
      method: q.method,
      headers: q.type ? { 'content-type': q.type } : {},
      body: q.method === 'POST' ? q.body : undefined,
    });
    const json = await res.json().catch(() => ({}));
    if (json.status !== 'success') failed++;
    else if (json.data.result.length === 0) empty++;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify({ queries: queries.length, empty, failed }));
