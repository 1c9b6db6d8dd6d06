// The big GitOps repository of issue 13: 100,000 commits over 2,000 services, written by one
// `git fast-import`, with policies and metrics files for `pinback run` over 1 to 2,000 of them.
//
//   node bench/big-repo.mjs [--out DIR] [--commits 100000] [--services 2000] [--seed 13]
//                           [--sizes 1,10,100,1000,2000] [--breach 500] [--bloom] [--force]
//
// Writes DIR/base.git once (kept and reused: --force regenerates it), then a snapshot "as of now"
// in DIR/now/ (bench/scale.mjs makes its own snapshots through the functions exported here):
//
//   base.git/          bare; every commit but the last TAIL (36); commit times one every ~5 minutes
//                      (1-9 minutes apart), the newest 3 hours before the generation
//   meta.json          what the base holds at its head: each service's tag, its previous tag on the
//                      first-parent chain, its last deploy; the generation's parameters and timings
//   now/repo/          a work tree: base.git plus the last TAIL commits timed over the 3 hours before
//                      now, so some services are inside a 2 h guard window whenever it is made
//                      (--bloom: with a commit-graph and changed-path Bloom filters)
//   now/policy-N.yml   N services (the recently deployed first), two count-aware triggers each, the
//                      embedded file provider reading metrics.json beside it
//   now/metrics.json   healthy counts for every service's candidate and stable
//   now/breach/repo/   base.git plus a release train: BREACH (500) services deployed one commit each
//                      over the last hour, 100,000 - TAIL + BREACH commits
//   now/breach/policy.yml, metrics.json   those services, each candidate's error ratio 16x its
//                      stable's on 1,000 requests a minute: a real `pinback run` rolls all back
//
// History (first parent and all): about 70% of the commits bump one random service's image tag
// (patch, sometimes minor, rarely major), 30% change something else (a Deployment's replicas or
// memory, an infrastructure HelmRelease's chart version, a cluster file, the README); about every
// 50th commit on main merges a short side branch (2-4 release commits, main moving 1-3 commits
// meanwhile), so a pin's deploy is sometimes a merge. Deterministic for a seed, but for the times.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const DEFAULT_OUT = process.env.BENCH_BIG_DIR ?? '/work/tmp/bench/big';
/** The commits appended at snapshot time, timed over the 3 hours before it. */
export const TAIL = 36;
const TAIL_SPAN_S = 3 * 3600;
/** The base ends this long before its generation, so a tail made later never predates it. */
const BASE_GAP_S = TAIL_SPAN_S;
const STEP_MIN_S = 60;
const STEP_MAX_S = 540;
const GUARD_WINDOW = '2h';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@acme.example',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@acme.example',
};
const gitEnv = { ...process.env, ...IDENTITY };

/** git with an argument array (never a shell string). */
export function git(cwd, args, opts = {}) {
  return execFileSync('git', args, { cwd, env: gitEnv, maxBuffer: 1 << 30, encoding: 'utf8', ...opts });
}

// ---- deterministic randomness ---------------------------------------------------------------

/** mulberry32: a small seeded PRNG, enough for a benchmark's choices. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

function seedOf(...parts) {
  let h = 2166136261;
  for (const c of parts.join('/')) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

// ---- the repository's shape ----------------------------------------------------------------

const DOMAINS = [
  'checkout', 'payments', 'billing', 'invoices', 'search', 'catalog', 'pricing', 'inventory', 'orders',
  'shipping', 'returns', 'accounts', 'identity', 'auth', 'profile', 'notifications', 'email', 'sms',
  'push', 'recommendations', 'reviews', 'ratings', 'cart', 'wishlist', 'promotions', 'coupons',
  'loyalty', 'fraud', 'risk', 'ledger', 'reporting', 'analytics', 'events', 'audit', 'compliance',
  'support', 'chat', 'media', 'images', 'video', 'geo', 'maps', 'tax', 'currency', 'partners', 'vendors',
  'warehouse', 'fulfilment', 'scheduling', 'feature-flags',
]; // prettier-ignore
const ROLES = [
  'api', 'worker', 'gateway', 'web', 'consumer', 'producer', 'scheduler', 'indexer', 'sync', 'cron',
  'grpc', 'admin', 'bff', 'ingest', 'export', 'import', 'cache', 'proxy', 'router', 'validator',
  'reconciler', 'notifier', 'aggregator', 'enricher', 'writer', 'reader', 'stream', 'batch', 'graphql',
  'webhook', 'agent', 'classifier', 'ranker', 'matcher', 'planner', 'tracker', 'monitor', 'backfill',
  'migrator', 'janitor',
]; // prettier-ignore
const INFRA = [
  ['cert-manager', 'v1.16.2'],
  ['ingress-nginx', '4.11.3'],
  ['external-dns', '1.15.0'],
  ['kube-prometheus-stack', '65.5.1'],
  ['loki', '6.21.0'],
  ['tempo', '1.14.0'],
  ['external-secrets', '0.10.7'],
  ['argo-rollouts', '2.38.0'],
  ['keda', '2.16.0'],
  ['velero', '8.1.0'],
  ['sealed-secrets', '2.16.2'],
  ['cluster-autoscaler', '9.43.2'],
];
const CLUSTERS = ['prod-eu-west-1', 'prod-us-east-1', 'staging-eu-west-1'];
const HUMANS = [
  ['Ana Souza', 'ana@acme.example'],
  ['Jonas Berg', 'jonas@acme.example'],
  ['Mei Tanaka', 'mei@acme.example'],
  ['Priya Raman', 'priya@acme.example'],
  ['Tom Okafor', 'tom@acme.example'],
  ['Lena Fischer', 'lena@acme.example'],
];
const BOT = ['acme-release-bot', 'release-bot@acme.example'];

export const serviceName = (i) =>
  i < DOMAINS.length * ROLES.length
    ? `${DOMAINS[i % DOMAINS.length]}-${ROLES[Math.floor(i / DOMAINS.length)]}`
    : `svc-${i}`;
export const pinFile = (name) => `apps/${name}/kustomization.yaml`;
export const imageOf = (name) => `ghcr.io/acme/${name}`;

const tagOf = (v) => `${v[0]}.${v[1]}.${v[2]}`;

function kustomization(s) {
  const sidecar = s.sidecar
    ? `  - name: docker.io/envoyproxy/envoy\n    newTag: v1.31.2 # pinned by the platform team\n`
    : '';
  return `# ${s.name} (team ${s.team}): synced by Argo CD from this directory
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${s.team}
resources:
  - deployment.yaml
  - service.yaml
labels:
  - pairs:
      app.kubernetes.io/name: ${s.name}
      app.kubernetes.io/part-of: ${s.team}
images:
  - name: ${imageOf(s.name)}
    newTag: ${s.tag} # {"$imagepolicy": "flux-system:${s.name}:tag"}
${sidecar}`;
}

function deployment(s) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${s.name}
spec:
  replicas: ${s.replicas}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: ${s.name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${s.name}
    spec:
      containers:
        - name: app
          image: ${imageOf(s.name)}
          ports:
            - { name: http, containerPort: 8080 }
          env:
            - { name: LOG_LEVEL, value: ${s.logLevel} }
          resources:
            requests: { cpu: 100m, memory: ${s.memory / 2}Mi }
            limits: { memory: ${s.memory}Mi }
          readinessProbe:
            httpGet: { path: /healthz, port: http }
`;
}

const serviceYaml = (s) => `apiVersion: v1
kind: Service
metadata:
  name: ${s.name}
spec:
  selector:
    app.kubernetes.io/name: ${s.name}
  ports:
    - { name: http, port: 80, targetPort: http }
`;

const helmRelease = (name, version) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: ${name}
spec:
  interval: 30m
  chart:
    spec:
      chart: ${name}
      version: "${version}"
      sourceRef: { kind: HelmRepository, name: ${name}, namespace: flux-system }
`;

const clusterFile = (c, st) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: apps-${c}
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://github.com/acme/gitops.git
        revision: main
        directories:
          - path: apps/*
  template:
    metadata:
      name: '{{.path.basename}}'
    spec:
      project: default
      source: { repoURL: https://github.com/acme/gitops.git, targetRevision: main, path: '{{.path.path}}' }
      destination: { name: ${c}, namespace: '{{.path.basename}}' }
      syncPolicy:
        automated: { prune: true, selfHeal: true }
        retry: { limit: ${st.retries} }
`;

const readme = (st) => `# acme/gitops

Every service's manifests live in \`apps/<service>/\`; Argo CD's ApplicationSets in \`clusters/\`
sync each directory to its namespace. Image tags are bumped by acme-release-bot.

## Recent changes

${st.readme.map((l) => `- ${l}`).join('\n')}
`;

/** The state at the head of main: every service and every other file's inputs. */
function initialState(services, r) {
  const svc = [];
  for (let i = 0; i < services; i++) {
    const name = serviceName(i);
    const v = [r.int(0, 3), r.int(0, 20), r.int(0, 9)];
    svc.push({
      name,
      team: name.split('-')[0],
      v,
      tag: tagOf(v),
      fpPrev: null,
      lastDeploy: 0,
      sidecar: r.next() < 0.1,
      replicas: r.int(2, 6),
      memory: 128 * r.int(2, 8),
      logLevel: 'info',
    });
  }
  return {
    svc,
    infra: Object.fromEntries(INFRA),
    clusters: Object.fromEntries(CLUSTERS.map((c) => [c, { retries: 5 }])),
    readme: ['initial import of the platform repository'],
  };
}

function bump(v, r) {
  const x = r.next();
  if (x < 0.03) return [v[0] + 1, 0, 0];
  if (x < 0.2) return [v[0], v[1] + 1, 0];
  return [v[0], v[1], v[2] + 1];
}

/** One fast-import stream writer with marks, for one repository. */
class Stream {
  constructor(cwd) {
    this.proc = spawn('git', ['fast-import', '--quiet', '--done'], {
      cwd,
      env: gitEnv,
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    this.exited = once(this.proc, 'exit');
    this.buf = [];
    this.size = 0;
    this.mark = 0;
  }
  async put(s) {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) await this.flush();
  }
  async flush() {
    const s = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.proc.stdin.write(s)) await once(this.proc.stdin, 'drain');
  }
  /** A commit on `ref`; returns its mark. `files` are [path, content] pairs. */
  async commit({ ref, who, time, message, from, merge, files }) {
    const mark = ++this.mark;
    const id = `${who[0]} <${who[1]}> ${time} +0000`;
    let s = `commit ${ref}\nmark :${mark}\nauthor ${id}\ncommitter ${id}\ndata ${Buffer.byteLength(message)}\n${message}\n`;
    if (from !== undefined) s += `from ${from}\n`;
    if (merge !== undefined) s += `merge ${merge}\n`;
    for (const [path, content] of files)
      s += `M 100644 inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
    await this.put(s);
    return mark;
  }
  async done() {
    await this.put('done\n');
    await this.flush();
    this.proc.stdin.end();
    const [code] = await this.exited;
    if (code !== 0) throw new Error(`git fast-import exited ${code}`);
  }
}

/**
 * Writes `count` commits after the state's head into `stream` on refs/heads/main (the first from
 * `from`, e.g. `refs/heads/main^0`, or none for a root), timed by `times` (ascending, one a commit).
 * Mutates `st`. `merges`: about every 50th commit on main merges a short side branch.
 */
async function history(stream, st, r, { count, times, from, merges, initial }) {
  let made = 0;
  let head = from;
  const t = () => times[made];
  const touched = new Set();
  const deploy = (s) => {
    s.v = bump(s.v, r);
    s.tag = tagOf(s.v);
    return [pinFile(s.name), kustomization(s)];
  };
  const firstParentDeploy = (s, time) => {
    if (s.fpCur !== s.tag) {
      s.fpPrev = s.fpCur ?? null;
      s.fpCur = s.tag;
      s.lastDeploy = time;
    }
  };
  const main = async (opts) => {
    const mark = await stream.commit({ ref: 'refs/heads/main', from: head, ...opts });
    head = `:${mark}`;
    made++;
    return mark;
  };
  if (initial) {
    const files = [['README.md', readme(st)]];
    for (const s of st.svc) {
      files.push([pinFile(s.name), kustomization(s)], [`apps/${s.name}/deployment.yaml`, deployment(s)]);
      files.push([`apps/${s.name}/service.yaml`, serviceYaml(s)]);
      s.fpCur = s.tag;
      s.lastDeploy = times[0];
    }
    for (const [n, v] of Object.entries(st.infra))
      files.push([`infrastructure/${n}/release.yaml`, helmRelease(n, v)]);
    for (const [c, cs] of Object.entries(st.clusters))
      files.push([`clusters/${c}/apps.yaml`, clusterFile(c, cs)]);
    files.push(['.github/CODEOWNERS', '* @acme/platform\napps/ @acme/release-managers\n']);
    await main({ who: HUMANS[0], time: t(), message: 'Import the platform repository\n', files });
  }
  /** An ordinary commit on main: a tag bump (70%) or another change, avoiding `busy` services. */
  const ordinary = async (busy) => {
    const time = t();
    const free = () => {
      for (;;) {
        const s = r.pick(st.svc);
        if (!busy.has(s.name)) return s;
      }
    };
    if (r.next() < 0.7) {
      const s = free();
      const [path, content] = deploy(s);
      firstParentDeploy(s, time);
      const msg = r.next() < 0.5 ? `deploy ${s.name} ${s.tag}` : `chore(${s.name}): bump image to ${s.tag}`;
      return main({ who: BOT, time, message: `${msg}\n`, files: [[path, content]] });
    }
    const who = r.pick(HUMANS);
    const x = r.next();
    if (x < 0.45) {
      const s = free();
      let what;
      if (r.next() < 0.5) {
        s.replicas = Math.max(1, s.replicas + (r.next() < 0.5 ? -1 : 1));
        what = `scale ${s.name} to ${s.replicas} replicas`;
      } else if (r.next() < 0.8) {
        s.memory = Math.max(128, s.memory + (r.next() < 0.6 ? 128 : -128));
        what = `${s.name}: memory limit ${s.memory}Mi`;
      } else {
        s.logLevel = s.logLevel === 'info' ? 'debug' : 'info';
        what = `${s.name}: log level ${s.logLevel}`;
      }
      return main({
        who,
        time,
        message: `${what}\n`,
        files: [[`apps/${s.name}/deployment.yaml`, deployment(s)]],
      });
    }
    if (x < 0.7) {
      const n = r.pick(INFRA)[0];
      const v = st.infra[n].replace(/\d+$/, (d) => String(Number(d) + 1));
      st.infra[n] = v;
      const files = [[`infrastructure/${n}/release.yaml`, helmRelease(n, v)]];
      return main({ who, time, message: `infrastructure: ${n} chart ${v}\n`, files });
    }
    if (x < 0.85) {
      const c = r.pick(CLUSTERS);
      st.clusters[c].retries = 3 + ((st.clusters[c].retries - 2) % 5);
      const files = [[`clusters/${c}/apps.yaml`, clusterFile(c, st.clusters[c])]];
      return main({
        who,
        time,
        message: `clusters/${c}: sync retry limit ${st.clusters[c].retries}\n`,
        files,
      });
    }
    st.readme = [
      `${new Date(time * 1000).toISOString().slice(0, 10)}: ${r.pick(['runbook links', 'ownership', 'on-call rota', 'sync waves', 'naming'])} updated`,
      ...st.readme,
    ].slice(0, 12);
    return main({ who, time, message: 'docs: README\n', files: [['README.md', readme(st)]] });
  };

  let nextMerge = r.int(40, 60);
  let pr = 1000;
  while (made < count) {
    const left = count - made;
    if (merges && nextMerge <= 0 && left >= 10 && head !== undefined) {
      // A side branch of 2-4 release commits forked from main's head; main moves 1-3 commits
      // meanwhile (never touching those services); then main merges it (--no-ff).
      const fork = head;
      const k = r.int(2, 4);
      const side = [];
      touched.clear();
      let sideHead = fork;
      for (let i = 0; i < k; i++) {
        const time = t();
        let s = r.pick(st.svc);
        if (side.length > 0 && r.next() < 0.3) s = side[side.length - 1];
        const [path, content] = deploy(s);
        if (!side.includes(s)) side.push(s);
        touched.add(s.name);
        const mark = await stream.commit({
          ref: 'refs/heads/pr',
          from: sideHead,
          who: r.pick(HUMANS),
          time,
          message: `release: ${s.name} ${s.tag}\n`,
          files: [[path, content]],
        });
        sideHead = `:${mark}`;
        made++;
      }
      for (let i = r.int(1, 3); i > 0; i--) await ordinary(touched);
      const time = t();
      pr++;
      await main({
        who: r.pick(HUMANS),
        time,
        message: `Merge pull request #${pr} from acme/release/${side[0].name}\n\nrelease: ${side.map((s) => `${s.name} ${s.tag}`).join(', ')}\n`,
        merge: sideHead,
        files: side.map((s) => [pinFile(s.name), kustomization(s)]),
      });
      for (const s of side) firstParentDeploy(s, time);
      nextMerge = r.int(40, 60);
      continue;
    }
    touched.clear();
    await ordinary(touched);
    nextMerge--;
  }
  return made;
}

/** `count` ascending commit times ending at `end`, 1-9 minutes apart (scaled to `span` if given). */
function timesEnding(end, count, r, span) {
  const steps = Array.from({ length: count }, () => r.int(STEP_MIN_S, STEP_MAX_S));
  const total = steps.reduce((a, b) => a + b, 0) - steps[0];
  const scale = span === undefined ? 1 : span / total;
  const out = new Array(count);
  let t = end;
  for (let i = count - 1; i >= 0; i--) {
    out[i] = Math.round(t);
    t -= steps[i] * scale;
  }
  return out;
}

// ---- generation -------------------------------------------------------------------------------

export function readMeta(out = DEFAULT_OUT) {
  const f = join(out, 'meta.json');
  return existsSync(f) && existsSync(join(out, 'base.git', 'HEAD'))
    ? JSON.parse(readFileSync(f, 'utf8'))
    : undefined;
}

/**
 * DIR/base.git and DIR/meta.json, unless they exist for the same parameters (`force`: regenerate).
 * Returns the meta.
 */
export async function generateBase({
  out = DEFAULT_OUT,
  commits = 100_000,
  services = 2000,
  seed = 13,
  force = false,
  log = () => {},
} = {}) {
  const have = readMeta(out);
  if (!force && have && have.commits === commits && have.services === services && have.seed === seed) {
    log(`reusing ${join(out, 'base.git')} (${have.baseCommits} commits, generated ${have.generatedAt})`);
    return have;
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bare = join(out, 'base.git');
  git(out, ['init', '-q', '--bare', '-b', 'main', bare]);
  git(bare, ['config', 'gc.auto', '0']);
  const r = rng(seed);
  const st = initialState(services, r);
  const baseCommits = commits - TAIL;
  const generatedAt = Math.floor(Date.now() / 1000);
  const times = timesEnding(generatedAt - BASE_GAP_S, baseCommits, r);
  const t0 = process.hrtime.bigint();
  const stream = new Stream(bare);
  await history(stream, st, r, { count: baseCommits, times, merges: true, initial: true });
  await stream.done();
  git(bare, ['update-ref', '-d', 'refs/heads/pr']);
  const importS = Number(process.hrtime.bigint() - t0) / 1e9;
  const counted = Number(git(bare, ['rev-list', '--count', 'main']).trim());
  const firstParent = Number(git(bare, ['rev-list', '--count', '--first-parent', 'main']).trim());
  const merges = Number(git(bare, ['rev-list', '--count', '--merges', 'main']).trim());
  if (counted !== baseCommits) throw new Error(`made ${counted} commits, meant ${baseCommits}`);
  const meta = {
    commits,
    services,
    seed,
    tail: TAIL,
    baseCommits,
    firstParent,
    merges,
    generatedAt: new Date(generatedAt * 1000).toISOString(),
    baseEnd: times[times.length - 1],
    importSeconds: Math.round(importS * 10) / 10,
    packBytes: Number(git(bare, ['count-objects', '-v']).match(/size-pack: (\d+)/)[1]) * 1024,
    state: st,
  };
  writeFileSync(join(out, 'meta.json'), JSON.stringify(meta));
  log(
    `generated ${bare}: ${counted} commits (${firstParent} first-parent, ${merges} merges) in ${importS.toFixed(1)} s`,
  );
  return meta;
}

/** The same state as `meta.state`, independent of it (snapshots mutate theirs). */
const stateOf = (meta) => JSON.parse(JSON.stringify(meta.state));

/**
 * A work tree at `dest`: base.git cloned (objects hard-linked) plus commits made now by `tail`
 * (`'normal'`: TAIL commits over the last 3 hours, as the base's history goes on; `'breach'`:
 * `breach` services deployed one commit each over the last hour). `graph`: 'none' (no
 * commit-graph), 'plain' or 'bloom' (with changed-path Bloom filters). Returns the services'
 * state at its head and timings.
 */
export async function snapshot({
  out = DEFAULT_OUT,
  meta,
  dest,
  tail = 'normal',
  breach = 500,
  graph = 'none',
  now = Math.floor(Date.now() / 1000),
}) {
  rmSync(dest, { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  git(out, ['clone', '-q', '--no-checkout', join(out, 'base.git'), dest]);
  git(dest, ['config', 'gc.auto', '0']);
  git(dest, ['config', 'maintenance.auto', 'false']);
  const st = stateOf(meta);
  const r = rng(seedOf(String(meta.seed), tail, String(breach)));
  const stream = new Stream(dest);
  let made;
  let breached = [];
  if (tail === 'breach') {
    // A release train: a shared base image rebuilt, each service deployed in a commit of its own.
    const order = shuffled(
      st.svc.map((_, i) => i),
      r,
    ).slice(0, breach);
    const times = timesEnding(now - 360, breach, r, 3600 - 360);
    let head = 'refs/heads/main^0';
    for (let i = 0; i < order.length; i++) {
      const s = st.svc[order[i]];
      s.v = [s.v[0], s.v[1], s.v[2] + 1];
      s.tag = tagOf(s.v);
      s.fpPrev = s.fpCur;
      s.fpCur = s.tag;
      s.lastDeploy = times[i];
      const mark = await stream.commit({
        ref: 'refs/heads/main',
        from: head,
        who: BOT,
        time: times[i],
        message: `deploy ${s.name} ${s.tag}\n\nbase image debian:12.8 -> debian:12.9 (release train 2026-12-w49)\n`,
        files: [[pinFile(s.name), kustomization(s)]],
      });
      head = `:${mark}`;
      breached.push(s.name);
    }
    made = order.length;
  } else {
    const times = timesEnding(now - 60, TAIL, r, TAIL_SPAN_S - 60);
    made = await history(stream, st, r, { count: TAIL, times, from: 'refs/heads/main^0', merges: false });
  }
  await stream.done();
  git(dest, ['reset', '-q', '--hard']);
  const cloneS = Number(process.hrtime.bigint() - t0) / 1e9;
  const graphS = writeGraph(dest, graph);
  return { dest, state: st, made, breached, now, cloneSeconds: cloneS, graphSeconds: graphS };
}

function shuffled(xs, r) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Removes any commit-graph, then writes the kind asked for; returns the seconds it took. */
export function writeGraph(repo, graph) {
  const objects = git(repo, ['rev-parse', '--git-path', 'objects']).trim();
  const dir = resolve(repo, objects);
  rmSync(join(dir, 'info', 'commit-graph'), { force: true });
  rmSync(join(dir, 'info', 'commit-graphs'), { recursive: true, force: true });
  if (graph === 'none') return 0;
  const t0 = process.hrtime.bigint();
  const args = ['commit-graph', 'write', '--reachable', '--no-progress'];
  if (graph === 'bloom') args.push('--changed-paths');
  git(repo, args);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** A bare copy of `repo` that a `file://` URL can serve (a partial, shallow clone included). */
export function bareCopy(repo, dest, graph) {
  rmSync(dest, { recursive: true, force: true });
  git(repo, ['clone', '-q', '--bare', repo, dest]);
  git(dest, ['config', 'uploadpack.allowFilter', 'true']);
  git(dest, ['config', 'gc.auto', '0']);
  writeGraph(dest, graph);
  return dest;
}

// ---- policies and metrics ------------------------------------------------------------------------

/**
 * The services in the order the policies take them: those deployed within the guard window first,
 * newest first, then the others in a fixed shuffled order; N-service policies take the first N.
 */
export function serviceOrder(state, now, seed) {
  const recent = state.svc
    .filter((s) => s.lastDeploy >= now - 2 * 3600)
    .sort((a, b) => b.lastDeploy - a.lastDeploy);
  const rest = shuffled(
    state.svc.filter((s) => s.lastDeploy < now - 2 * 3600),
    rng(seedOf(String(seed), 'order')),
  );
  return [...recent, ...rest];
}

export function policyYaml(services, { metrics = 'metrics.json', lock = true } = {}) {
  let y = `# bench/big-repo.mjs: ${services.length} service${services.length === 1 ? '' : 's'}, two count-aware triggers each
version: 1
providers:
  metrics: { type: file, path: ${metrics} }
defaults: { provider: metrics, step: 1m, confidence: 99%, cooldown: 30m, guard_window: ${GUARD_WINDOW} }
services:
`;
  for (const s of services) {
    y += `  ${s.name}:
    stage: canary
    pin: { file: ${pinFile(s.name)}, kustomize_image: ${imageOf(s.name)} }
    triggers:
      errors: { ratio: {}, max_increase: 20%, slo: { objective: 99% }, reason: error_spike }
      latency: { histogram: { quantile: 0.95 }, max_increase: 15%, reason: sla_breach }
    on_rollback: { lock_candidate: ${lock} }
`;
  }
  return y;
}

const LE = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
const LATENCY_SHARE = [0.42, 0.71, 0.9, 0.97, 0.993, 1];

/**
 * Per-minute counts for a version: `total` requests a minute, `errorShare` of them 5xx, latency
 * buckets by LATENCY_SHARE; at `[t, n]` for each minute in `minutes` (unix seconds, ascending).
 */
function counts(minutes, total, errorShare, r) {
  const jitter = (n, spread) => Math.max(0, Math.round(n * (1 + (r.next() - 0.5) * spread)));
  const tot = minutes.map(() => jitter(total, 0.1));
  const bad = tot.map((n) => {
    const mean = n * errorShare;
    // Poisson-ish: mean plus a normal approximation's noise.
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * (r.next() + r.next() + r.next() - 1.5) * 2));
  });
  const pairs = (xs) => xs.map((n, i) => [minutes[i], n]);
  const buckets = {};
  for (let b = 0; b < LE.length; b++)
    buckets[LE[b]] = pairs(tot.map((n) => Math.min(n, Math.round(n * LATENCY_SHARE[b]))));
  return { errors: { bad: pairs(bad), total: pairs(tot) }, latency: { buckets } };
}

/** The minutes since `from` up to `now` (one a minute), or the last `last` minutes when older. */
function minutesOf(from, now, last) {
  const start = Math.max(from, now - last * 60);
  const out = [];
  for (let t = start + 60; t <= now; t += 60) out.push(t);
  return out;
}

/**
 * The metrics file: every listed service's candidate and stable, 1,000 requests a minute for the
 * candidate (a 10% canary) beside the stable's 9,000, at the same minutes since the candidate's deploy
 * (the last 10 minutes for services deployed long ago). `bad`: names whose candidate errs at 8%
 * against the stable's 0.5%.
 */
export function metricsJson(services, now, { bad = new Set(), seed = 13 } = {}) {
  const r = rng(seedOf(String(seed), 'metrics'));
  const out = {};
  for (const s of services) {
    const minutes = minutesOf(s.lastDeploy, now, s.lastDeploy >= now - 3 * 3600 ? 180 : 10);
    const entry = { [s.fpCur]: counts(minutes, 1000, bad.has(s.name) ? 0.08 : 0.005, r) };
    if (s.fpPrev && s.fpPrev !== s.fpCur) entry[s.fpPrev] = counts(minutes, 9000, 0.005, r);
    out[s.name] = entry;
  }
  return JSON.stringify(out);
}

/**
 * DIR/now-like directory `dir`: repo/ (normal tail) with policy-N.yml for each size and
 * metrics.json; with `breach`, breach/repo, breach/policy.yml, breach/metrics.json.
 */
export async function makeSnapshot({
  out = DEFAULT_OUT,
  meta,
  dir,
  sizes,
  graph = 'none',
  breach = 0,
  log = () => {},
}) {
  mkdirSync(dir, { recursive: true });
  const now = Math.floor(Date.now() / 1000);
  const snap = await snapshot({ out, meta, dest: join(dir, 'repo'), graph, now });
  const order = serviceOrder(snap.state, now, meta.seed);
  for (const n of sizes) writeFileSync(join(dir, `policy-${n}.yml`), policyYaml(order.slice(0, n)));
  writeFileSync(join(dir, 'metrics.json'), metricsJson(order, now, { seed: meta.seed }));
  const inWindow = order.filter((s) => s.lastDeploy >= now - 2 * 3600).length;
  log(
    `snapshot ${join(dir, 'repo')}: +${snap.made} commits now (${inWindow} services deployed within ${GUARD_WINDOW}), ` +
      `clone ${snap.cloneSeconds.toFixed(1)} s, commit-graph (${graph}) ${snap.graphSeconds.toFixed(1)} s`,
  );
  const result = { ...snap, order, inWindow };
  if (breach > 0) {
    const b = await snapshot({
      out,
      meta,
      dest: join(dir, 'breach', 'repo'),
      tail: 'breach',
      breach,
      graph,
      now,
    });
    const byName = new Map(b.state.svc.map((s) => [s.name, s]));
    const listed = b.breached.map((n) => byName.get(n));
    writeFileSync(join(dir, 'breach', 'policy.yml'), policyYaml(listed));
    writeFileSync(
      join(dir, 'breach', 'metrics.json'),
      metricsJson(listed, now, { bad: new Set(b.breached), seed: meta.seed }),
    );
    log(
      `snapshot ${join(dir, 'breach', 'repo')}: +${b.made} deploy commits over the last hour (the breaching services), ` +
        `clone ${b.cloneSeconds.toFixed(1)} s, commit-graph (${graph}) ${b.graphSeconds.toFixed(1)} s`,
    );
    result.breach = b;
  }
  return result;
}

// ---- the command -------------------------------------------------------------------------------

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_OUT },
      commits: { type: 'string', default: '100000' },
      services: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '13' },
      sizes: { type: 'string', default: '1,10,100,1000,2000' },
      breach: { type: 'string', default: '500' },
      bloom: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
  });
  const log = (s) => console.log(s);
  const t0 = Date.now();
  const meta = await generateBase({
    out: values.out,
    commits: Number(values.commits),
    services: Number(values.services),
    seed: Number(values.seed),
    force: values.force,
    log,
  });
  const sizes = values.sizes
    .split(',')
    .map(Number)
    .filter((n) => n <= meta.services);
  await makeSnapshot({
    out: values.out,
    meta,
    dir: join(values.out, 'now'),
    sizes,
    graph: values.bloom ? 'bloom' : 'none',
    breach: Number(values.breach),
    log,
  });
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
