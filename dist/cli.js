#!/usr/bin/env node
import { createRequire as __pinbackCreateRequire } from 'node:module';const require = __pinbackCreateRequire(import.meta.url);
import{C as H,D as C,E as N,b as v,d as A,f as g,g as u,h as $,i as P,j as O,k as M,l as R,m as j,n as b,p as S,q as x,r as F,u as D,w as G,y as L,z as U}from"./chunks/chunk-L3OIEXF2.js";import"./chunks/chunk-ZCMGD7JS.js";import{readFile as ue}from"node:fs/promises";import{userInfo as fe}from"node:os";import{dirname as Z,resolve as w}from"node:path";import{parseArgs as ge}from"node:util";async function V(t,e,o,r=200){let n=$(t,o).filter(c=>c.pin),i=await A(n,4,async c=>(await e.read({files:[],historyOf:c.pin.file,limit:r})).history.flatMap(p=>{let a=R(p.message);return!a||a.service!==c.name?[]:[{service:a.service,kind:a.kind,from:a.from,to:a.to,reason:a.reason,stage:a.stage,time:new Date(p.time*1e3).toISOString(),commit:p.sha,id:a.id,actor:a.actor,run:a.run??null,evidence:a.evidence}]})),s=new Set;return i.flat().filter(c=>!s.has(c.commit)&&s.add(c.commit)).sort((c,l)=>l.time.localeCompare(c.time))}function z(t){return t.length===0?"no rollbacks recorded":U(["time","service","from","to","reason","commit","id"],t.map(e=>[e.time,e.service,e.from,e.to,e.reason,e.commit.slice(0,12),e.id]))}import{execFileSync as se}from"node:child_process";import{mkdirSync as ae,mkdtempSync as ce,readdirSync as pe,readFileSync as B,writeFileSync as y}from"node:fs";import{tmpdir as me}from"node:os";import{join as d}from"node:path";import{appendFile as te,mkdir as re,readFile as ie,writeFile as oe}from"node:fs/promises";import{join as ne}from"node:path";var q=`
## Activity

`;function h(t,e){let o=(i,s)=>ne(t,`${i}-${s}.md`),r=async i=>ie(i,"utf8").then(s=>s,()=>null),n=async(i,s,c)=>{let l=o(s,i),p=await r(l);return p===null?null:(await te(l,`${p.includes(q)?"":q}- ${L(c)}
`),l)};return{async open(i){let s=o(i.service,i.id);return await r(s)!==null?(await n(i.id,i.service,`${i.evaluatedAt.toISOString()}: the rollback was confirmed again`),s):(await re(t,{recursive:!0}),await oe(s,H(i,await e(i.service)),{flag:"wx"}).catch(c=>{if(c.code!=="EEXIST")throw c}),s)},note:n}}var J=t=>`# support-agent, deployed by Argo CD from this directory
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ghcr.io/acme/support-agent
    newTag: "${t}" # bumped by CI on release
`,K=`version: 1
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
`;function le(t){let e=r=>t-(9-r)*60,o=r=>r.map((n,i)=>[e(i),n]);return JSON.stringify({"support-agent":{"2.4.0":{error_rate:o([.004,.005,.006,.005,.004,.006,.031,.058,.067,.071]),tool_failure_rate:o([.01,.01,.01,.01,.01,.01,.02,.041,.047,.052]),latency_p95_ms:o([1150,1180,1160,1170,1190,1210,1400,1580,1620,1650])},"2.3.3":{error_rate:o([.005,.004,.005,.005,.006,.004,.005,.005,.004,.005]),tool_failure_rate:o([.01,.01,.01,.01,.01,.01,.01,.01,.01,.01]),latency_p95_ms:o([1120,1130,1110,1150,1140,1120,1130,1150,1140,1130])}}},null,2)}var de={GIT_AUTHOR_NAME:"ci-bot",GIT_AUTHOR_EMAIL:"ci@acme.example",GIT_COMMITTER_NAME:"ci-bot",GIT_COMMITTER_EMAIL:"ci@acme.example"};async function W(t){let e=(m="")=>t.write(`${m}
`),o=ce(d(me(),"pinback-demo-")),r=d(o,"gitops"),n=(m,k={})=>se("git",m,{cwd:r,encoding:"utf8",env:{...process.env,...de,...k}}),i=Math.floor(Date.now()/1e3),s=(m,k)=>{let I=`@${m} +0000`;n(["add","-A"]),n(["commit","-q","-m",k],{GIT_AUTHOR_DATE:I,GIT_COMMITTER_DATE:I})};ae(d(r,"apps","support-agent"),{recursive:!0}),n(["init","-q","-b","main"]),y(d(r,"apps/support-agent/kustomization.yaml"),J("2.3.3")),y(d(r,"apps/support-agent/flags.yaml"),`apiVersion: v1
kind: ConfigMap
metadata: { name: support-agent-flags }
data:
  writes_disabled: "false"
`),s(i-3*86400,"deploy support-agent 2.3.3"),y(d(r,"apps/support-agent/kustomization.yaml"),J("2.4.0")),s(i-600,"deploy support-agent 2.4.0"),y(d(o,"pinback.yml"),K),y(d(o,"metrics.json"),le(i)),e(`pinback demo in ${o}`),e("  gitops/      a GitOps repo: support-agent pinned to 2.3.3 three days ago, to 2.4.0 ten minutes ago"),e("  metrics.json 2.4.0 degrades 90 s after its deploy: errors 0.5% -> 7.1%, tool failures 1% -> 5.2%"),e("  pinback.yml  stop when 2 triggers breach for 3 samples; lock the candidate; flip the kill switch"),e();let c=d(o,"pinback.yml"),l=x(K,c,{}),p=d(o,"incidents"),a=async()=>{let m=await D({target:r,branch:"main"});try{return await b(l,{store:m,providers:new Map([["metrics",C(d(o,"metrics.json"))]]),incidents:h(p,async()=>{}),now:()=>new Date},{policyFile:"pinback.yml",policyDigest:l.digest,actor:"pinback demo",runUrl:void 0,author:{name:"pinback",email:"pinback@users.noreply.github.com"},mode:void 0})}finally{await m.close()}};e("$ pinback run -c pinback.yml --incident-dir incidents");let f=await a();for(let m of f.report.services)e(g(m));for(let m of f.failures)e(`failed: ${m.message}`);if(f.failures.length)return 1;e(),e("The rollback commit (git log -1):"),e(n(["log","-1","--format=%H%n%an <%ae>%n%n%B"]).trimEnd().replace(/^/gm,"    ")),e(),e("What it changed (git show --stat):"),e(n(["show","--format=","--stat","HEAD"]).trimEnd().replace(/^/gm,"    ")),e(n(["show","--format=","HEAD","--","apps/support-agent/kustomization.yaml"]).trimEnd().replace(/^/gm,"    ")),e(),e(`The lock (${v}):`),e(B(d(r,v),"utf8").trimEnd().replace(/^/gm,"    ")),e();let E=pe(p)[0];e(`The incident (incidents/${E}):`),e(B(d(p,E),"utf8").split(`
`).slice(0,28).join(`
`).replace(/^/gm,"    ")),e("    ..."),e();let Q=n(["rev-list","--count","HEAD"]).trim();e("$ pinback run -c pinback.yml --incident-dir incidents    # the same signal again");let ee=await a();for(let m of ee.report.services)e(g(m));return e(`commits before: ${Q}, after: ${n(["rev-list","--count","HEAD"]).trim()} (one rollback, however often the signal repeats)`),e(),e(`Look around: cd ${o}`),0}var _=`pinback: GitOps rollback reconciler

Usage:
  pinback run      [-c FILE] [--gitops PATH|URL] [--branch B] [--metrics-file F]
                   [--service S]... [--mode auto|dry-run] [--incident-dir DIR] [--json]
  pinback evaluate [-c FILE] [--metrics-file F] [--candidate V] [--stable V] [--service S]... [--json]
  pinback audit    [-c FILE] [--gitops PATH|URL] [--branch B] [--service S]... [--json]
  pinback check    [-c FILE] [--gitops PATH|URL] [--branch B] [--service S]...
  pinback demo

Exit codes: 0 completed, 1 an operation failed or the check gate is closed, 2 usage or policy-file error.`,ye={config:{type:"string",short:"c",default:".github/pinback.yml"},gitops:{type:"string"},branch:{type:"string"},"metrics-file":{type:"string"},"incident-dir":{type:"string"},mode:{type:"string"},candidate:{type:"string"},stable:{type:"string"},service:{type:"string",multiple:!0},json:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}},we={name:"pinback",email:"pinback@users.noreply.github.com"};function Y(t,e){let o=Z(w(t.file)),r=new Set(t.services.flatMap(i=>i.queries.map(s=>s.provider))),n=new Map;for(let i of r){let s=t.providers[i],c=s?.type==="file"?{...s,path:w(o,s.path)}:s;n.set(i,N(i,c,{metricsFile:e&&w(e)}))}return n}async function be(t,e){let o=e.gitops??t.gitops?.repo;if(!o)throw new u(`no GitOps repository: pass --gitops PATH|URL or set gitops.repo in ${t.file}`);let r=e.gitops===void 0&&/^\.{1,2}\//.test(o)?w(Z(t.file),o):o;return G(r,e.branch??t.gitops?.branch)}function he(t){if(t.mode!==void 0){if(t.mode==="auto"||t.mode==="dry-run")return t.mode;throw t.mode==="propose"?new u("--mode propose opens a pull request: it needs the GitHub Action"):new u(`--mode must be auto or dry-run, not "${t.mode}"`)}}function X(t,e){if(e)process.stdout.write(`${JSON.stringify(t,null,2)}
`);else for(let o of t.services)process.stdout.write(`${g(o)}
`)}async function T(t,e,o){let r=await be(t,e);try{return await o(r)}finally{await r.close()}}async function ke(t){let[e,...o]=t;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write(`${_}
`),e?0:2;let{values:r}=ge({args:o,options:ye,allowPositionals:!1,strict:!0});if(r.help)return process.stdout.write(`${_}
`),0;if(e==="demo")return W(process.stdout);if(!["run","evaluate","audit","check"].includes(e))throw new u(`unknown command "${e}"

${_}`);let n=await F(r.config);switch(e){case"evaluate":{let i=await P(n,{providers:Y(n,r["metrics-file"]),now:new Date,candidate:r.candidate,stable:r.stable,services:r.service});return X(i,r.json),0}case"run":{let i=he(r),s=r["incident-dir"],c=s===void 0?void 0:h(w(s),async p=>{let a=n.services.find(f=>f.name===p)?.onRollback.incident.template;return a===void 0?void 0:ue(a,"utf8")}),l=await T(n,r,p=>b(n,{store:p,providers:Y(n,r["metrics-file"]),incidents:c,notifiers:a=>j(a.onRollback.notify),warn:a=>process.stderr.write(`pinback: warning: ${a}
`),now:()=>new Date},{policyFile:n.file,policyDigest:n.digest,actor:`pinback-cli (${fe().username})`,runUrl:void 0,author:n.gitops?.author??we,mode:i},r.service));X(l.report,r.json);for(let p of l.failures)process.stderr.write(`pinback: ${p.message}
`);return l.failures.length?1:0}case"audit":{let i=await T(n,r,s=>V(n,s,r.service));return process.stdout.write(r.json?`${JSON.stringify({version:1,rollbacks:i},null,2)}
`:`${z(i)}
`),0}default:{let i=await T(n,r,s=>O(n,s,r.service));for(let s of i)process.stderr.write(`${M(s)}
`);return i.length||process.stdout.write(`no service pins a locked version
`),i.length?1:0}}}ke(process.argv.slice(2)).then(t=>{process.exitCode=t},t=>{let e=t instanceof S||t instanceof u||t.code?.startsWith("ERR_PARSE_ARGS");process.stderr.write(t instanceof S?`${t.message}
`:`pinback: ${t.message}
`),process.exitCode=e?2:1});export{we as DEFAULT_AUTHOR};
