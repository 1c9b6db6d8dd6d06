#!/usr/bin/env node
import { createRequire as __pinbackCreateRequire } from 'node:module';const require = __pinbackCreateRequire(import.meta.url);
import{a as S,c as F,d as y,e as j,f as G,g as U,h as L,i as H,j as N,k,l as C,m as V,n as I,o as z,p as J,s as B,u as q,v as K,w as A}from"./chunks/chunk-SOUSSS6W.js";import{d as x,e as D,i as h,l as M,m as T}from"./chunks/chunk-UBLNVFPU.js";import"./chunks/chunk-ZCMGD7JS.js";import{readFile as ye}from"node:fs/promises";import{userInfo as we}from"node:os";import{dirname as P,resolve as _}from"node:path";import{parseArgs as he}from"node:util";async function W(t,e,n,r=200){let i=j(t,n).filter(s=>s.pin),o=await F(i,4,async s=>(await e.read({files:[],historyOf:s.pin.file,limit:r})).history.flatMap(l=>{let c=H(l.message);return!c||c.service!==s.name?[]:[{service:c.service,kind:c.kind,from:c.from,to:c.to,reason:c.reason,stage:c.stage,time:new Date(l.time*1e3).toISOString(),commit:l.sha,id:c.id,actor:c.actor,run:c.run??null,evidence:c.evidence}]})),a=new Set;return o.flat().filter(s=>!a.has(s.commit)&&a.add(s.commit)).sort((s,p)=>p.time.localeCompare(s.time))}function Y(t){return t.length===0?"no rollbacks recorded":D(["time","service","from","to","reason","commit","id"],t.map(e=>[e.time,e.service,e.from,e.to,e.reason,e.commit.slice(0,12),e.id]))}import{execFileSync as pe}from"node:child_process";import{mkdirSync as me,mkdtempSync as de,readdirSync as le,readFileSync as Q,writeFileSync as b}from"node:fs";import{tmpdir as ue}from"node:os";import{join as d}from"node:path";import{appendFile as X,mkdir as oe,readFile as se,writeFile as ae}from"node:fs/promises";import{join as ce}from"node:path";var Z=`
## Activity

`;function v(t,e){let n=(i,o)=>ce(t,`${i}-${o}.md`),r=i=>se(i,"utf8").then(o=>o,()=>null);return{async open(i){let o=n(i.service,i.id);if(await r(o)!==null)return{where:o,created:!1};await oe(t,{recursive:!0});let a=await ae(o,M(i,await e(i.service)),{flag:"wx"}).then(()=>!0,s=>{if(s.code!=="EEXIST")throw s;return!1});return{where:o,created:a}},async note(i,o,a){let s=n(o,i),p=await r(s);return p===null?null:(await X(s,`${p.includes(Z)?"":Z}- ${x(a)}
`),s)},async update(i,o,a){let s=n(o,i),p=await r(s);return p===null?{where:null,added:!1}:p.includes(T(a.key))?{where:s,added:!1}:(await X(s,`
${T(a.key)}
${a.markdown.trim()}
`),{where:s,added:!0})}}}var ee=t=>`# support-agent, deployed by Argo CD from this directory
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ghcr.io/acme/support-agent
    newTag: "${t}" # bumped by CI on release
`,te=`version: 1
gitops: { repo: ./gitops, branch: main }
providers:
  metrics: { type: file, path: metrics.json }
defaults: { provider: metrics, window: 10m, cooldown: 30m }
services:
  support-agent:
    stage: canary
    pin: { file: apps/support-agent/kustomization.yaml, kustomize_image: ghcr.io/acme/support-agent }
    guard_window: 2h
    triggers:
      error_rate:        { max: 0.05, sustained: 3, reason: error_spike }
      tool_failure_rate: { max: 0.03, sustained: 3, reason: error_spike }
      latency_p95_ms:    { max: 1800, max_increase: 50%, reason: sla_breach }
    require: 2
    on_rollback:
      lock_candidate: true
      kill_switch: { file: apps/support-agent/flags.yaml, yaml_path: data.writes_disabled, value: "true" }
`;function fe(t){let e=r=>t-(9-r)*60,n=r=>r.map((i,o)=>[e(o),i]);return JSON.stringify({"support-agent":{"2.4.0":{error_rate:n([.004,.005,.006,.005,.004,.006,.031,.058,.067,.071]),tool_failure_rate:n([.01,.01,.01,.01,.01,.01,.02,.041,.047,.052]),latency_p95_ms:n([1150,1180,1160,1170,1190,1210,1400,1580,1620,1650])},"2.3.3":{error_rate:n([.005,.004,.005,.005,.006,.004,.005,.005,.004,.005]),tool_failure_rate:n([.01,.01,.01,.01,.01,.01,.01,.01,.01,.01]),latency_p95_ms:n([1120,1130,1110,1150,1140,1120,1130,1150,1140,1130])}}},null,2)}var ge={GIT_AUTHOR_NAME:"ci-bot",GIT_AUTHOR_EMAIL:"ci@acme.example",GIT_COMMITTER_NAME:"ci-bot",GIT_COMMITTER_EMAIL:"ci@acme.example"};async function re(t){let e=(m="")=>t.write(`${m}
`),n=de(d(ue(),"pinback-demo-")),r=d(n,"gitops"),i=(m,E={})=>pe("git",m,{cwd:r,encoding:"utf8",env:{...process.env,...ge,...E}}),o=Math.floor(Date.now()/1e3),a=(m,E)=>{let R=`@${m} +0000`;i(["add","-A"]),i(["commit","-q","-m",E],{GIT_AUTHOR_DATE:R,GIT_COMMITTER_DATE:R})};me(d(r,"apps","support-agent"),{recursive:!0}),i(["init","-q","-b","main"]),b(d(r,"apps/support-agent/kustomization.yaml"),ee("2.3.3")),b(d(r,"apps/support-agent/flags.yaml"),`apiVersion: v1
kind: ConfigMap
metadata: { name: support-agent-flags }
data:
  writes_disabled: "false"
`),a(o-3*86400,"deploy support-agent 2.3.3"),b(d(r,"apps/support-agent/kustomization.yaml"),ee("2.4.0")),a(o-600,"deploy support-agent 2.4.0"),b(d(n,"pinback.yml"),te),b(d(n,"metrics.json"),fe(o)),e(`pinback demo in ${n}`),e("  gitops/      a GitOps repo: support-agent pinned to 2.3.3 three days ago, to 2.4.0 ten minutes ago"),e("  metrics.json 2.4.0 degrades 90 s after its deploy: errors 0.5% -> 7.1%, tool failures 1% -> 5.2%"),e("  pinback.yml  stop when 2 triggers breach for 3 samples; lock the candidate; flip the kill switch"),e();let s=d(n,"pinback.yml"),p=z(te,s,{}),l=d(n,"incidents"),c=async()=>{let m=await B({target:r,branch:"main"});try{return await k(p,{store:m,providers:new Map([["metrics",K(d(n,"metrics.json"))]]),incidents:v(l,async()=>{}),now:()=>new Date},{policyFile:"pinback.yml",policyDigest:p.digest,actor:"pinback demo",runUrl:void 0,author:{name:"pinback",email:"pinback@users.noreply.github.com"},mode:void 0})}finally{await m.close()}};e("$ pinback run -c pinback.yml --incident-dir incidents");let u=await c();for(let m of u.report.services)e(h(m));for(let m of u.failures)e(`failed: ${m.message}`);if(u.failures.length)return 1;e(),e("The rollback commit (git log -1):"),e(i(["log","-1","--format=%H%n%an <%ae>%n%n%B"]).trimEnd().replace(/^/gm,"    ")),e(),e("What it changed (git show --stat):"),e(i(["show","--format=","--stat","HEAD"]).trimEnd().replace(/^/gm,"    ")),e(i(["show","--format=","HEAD","--","apps/support-agent/kustomization.yaml"]).trimEnd().replace(/^/gm,"    ")),e(),e(`The lock (${S}):`),e(Q(d(r,S),"utf8").trimEnd().replace(/^/gm,"    ")),e();let f=le(l)[0];e(`The incident (incidents/${f}):`),e(Q(d(l,f),"utf8").split(`
`).slice(0,28).join(`
`).replace(/^/gm,"    ")),e("    ..."),e();let w=i(["rev-list","--count","HEAD"]).trim();e("$ pinback run -c pinback.yml --incident-dir incidents    # the same signal again");let g=await c();for(let m of g.report.services)e(h(m));return e(`commits before: ${w}, after: ${i(["rev-list","--count","HEAD"]).trim()} (one rollback, however often the signal repeats)`),e(),e(`Look around: cd ${n}`),0}var $=`pinback: GitOps rollback reconciler

Usage:
  pinback run      [-c FILE] [--gitops PATH|URL] [--branch B] [--metrics-file F]
                   [--service S]... [--mode auto|dry-run] [--incident-dir DIR] [--json]
                   [--watch DURATION --interval DURATION]   keep evaluating; act within one interval
  pinback evaluate [-c FILE] [--metrics-file F] [--candidate V] [--stable V] [--service S]... [--json]
  pinback audit    [-c FILE] [--gitops PATH|URL] [--branch B] [--service S]... [--json]
  pinback check    [-c FILE] [--gitops PATH|URL] [--branch B] [--service S]...
  pinback demo

Exit codes: 0 completed, 1 an operation failed or the check gate is closed, 2 usage or policy-file error.`,be={config:{type:"string",short:"c",default:".github/pinback.yml"},gitops:{type:"string"},branch:{type:"string"},"metrics-file":{type:"string"},"incident-dir":{type:"string"},mode:{type:"string"},candidate:{type:"string"},stable:{type:"string"},service:{type:"string",multiple:!0},watch:{type:"string"},interval:{type:"string"},json:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}},ke={name:"pinback",email:"pinback@users.noreply.github.com"};async function ve(t,e){let n=e.gitops??t.gitops?.repo;if(!n)throw new y(`no GitOps repository: pass --gitops PATH|URL or set gitops.repo in ${t.file}`);let r=e.gitops===void 0&&/^\.{1,2}\//.test(n)?_(P(t.file),n):n;return q(r,e.branch??t.gitops?.branch)}function ie(t,e){if(t===void 0)return;let n=V(t);if(n===void 0||n<=0)throw new y(`${e} takes a duration such as 30s, 10m or 1h, not "${t}"`);return n}function _e(t){if(t.mode!==void 0){if(t.mode==="auto"||t.mode==="dry-run")return t.mode;throw t.mode==="propose"?new y("--mode propose opens a pull request: it needs the GitHub Action"):new y(`--mode must be auto or dry-run, not "${t.mode}"`)}}function ne(t,e){if(e)process.stdout.write(`${JSON.stringify(t,null,2)}
`);else for(let n of t.services)process.stdout.write(`${h(n)}
`)}async function O(t,e,n){let r=await ve(t,e);try{return await n(r)}finally{await r.close()}}async function Ee(t){let[e,...n]=t;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write(`${$}
`),e?0:2;let{values:r}=he({args:n,options:be,allowPositionals:!1,strict:!0});if(r.help)return process.stdout.write(`${$}
`),0;if(e==="demo")return re(process.stdout);if(!["run","evaluate","audit","check"].includes(e))throw new y(`unknown command "${e}"

${$}`);let i=await J(r.config);switch(e){case"evaluate":{let o=await G(i,{providers:A(i,P(_(i.file)),r["metrics-file"]),now:new Date,candidate:r.candidate,stable:r.stable,services:r.service});return ne(o,r.json),0}case"run":{let o=_e(r),a=r["incident-dir"],s=a===void 0?void 0:v(_(a),async u=>{let f=i.services.find(w=>w.name===u)?.onRollback.incident.template;return f===void 0?void 0:ye(f,"utf8")}),p=ie(r.watch,"--watch"),l=ie(r.interval,"--interval")??6e4,c=await O(i,r,u=>{let f={store:u,providers:A(i,P(_(i.file)),r["metrics-file"]),incidents:s,notifiers:g=>N(g.onRollback.notify),warn:g=>process.stderr.write(`pinback: warning: ${g}
`),now:()=>new Date},w={policyFile:i.file,policyDigest:i.digest,actor:`pinback-cli (${we().username})`,runUrl:void 0,author:i.gitops?.author??ke,mode:o};return p===void 0?k(i,f,w,r.service):C(i,f,w,r.service,{durationMs:p,intervalMs:l,print:g=>process.stderr.write(`${g}
`)})});ne(c.report,r.json);for(let u of c.failures)process.stderr.write(`pinback: ${u.message}
`);return c.failures.length?1:0}case"audit":{let o=await O(i,r,a=>W(i,a,r.service));return process.stdout.write(r.json?`${JSON.stringify({version:1,rollbacks:o},null,2)}
`:`${Y(o)}
`),0}default:{let o=await O(i,r,a=>U(i,a,r.service));for(let a of o)process.stderr.write(`${L(a)}
`);return o.length||process.stdout.write(`no service pins a locked version
`),o.length?1:0}}}process.stdout.on("error",t=>{throw t.code==="EPIPE"&&process.exit(0),t});Ee(process.argv.slice(2)).then(t=>{process.exitCode=t},t=>{let e=t instanceof I||t instanceof y||t.code?.startsWith("ERR_PARSE_ARGS");process.stderr.write(t instanceof I?`${t.message}
`:`pinback: ${t.message}
`),process.exitCode=e?2:1});export{ke as DEFAULT_AUTHOR};
