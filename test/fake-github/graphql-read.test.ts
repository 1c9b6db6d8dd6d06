import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, type Fixture, removeFixtures } from '../support/fake-github/fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

const READ = `
query PinbackRead($owner: String!, $name: String!, $ref: String!, $historyPath: String!, $limit: Int!, $f0: String!, $f1: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      name
      target {
        ... on Commit {
          oid
          f0: file(path: $f0) { object { ... on Blob { text isBinary byteSize } } }
          f1: file(path: $f1) { object { ... on Blob { text isBinary byteSize } } }
          history(first: $limit, path: $historyPath) {
            nodes { oid committedDate message file(path: $historyPath) { object { ... on Blob { text isBinary } } } }
          }
        }
      }
    }
  }
}`;

interface BlobText {
  text: string | null;
  isBinary: boolean;
  byteSize?: number;
}
interface ReadResult {
  repository: {
    ref: null | {
      name: string;
      target: {
        oid: string;
        f0: null | { object: BlobText };
        f1: null | { object: BlobText };
        history: {
          nodes: { oid: string; committedDate: string; message: string; file: null | { object: BlobText } }[];
        };
      };
    };
  };
}

const PIN = 'apps/api/kustomization.yaml';
const kustomization = (tag: string) => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;

let fixture: Fixture;
let fake: FakeGitHub;
let gql: Octokit['graphql'];

beforeAll(async () => {
  fixture = await createBareRepo([
    {
      files: { [PIN]: kustomization('v1.0.0'), 'apps/api/flags.yaml': 'writes_disabled: false\n' },
      date: '2024-01-01T10:00:00Z',
      message: 'deploy api v1.0.0',
    },
    { files: { 'README.md': '# gitops\n' }, date: '2024-01-02T10:00:00Z', message: 'docs' },
    {
      files: { [PIN]: kustomization('v1.1.0') },
      date: '2024-01-03T10:00:00+02:00',
      message: 'deploy api v1.1.0\n\nBody line.\n\nRelease-Note: faster',
    },
    {
      files: { [PIN]: kustomization('v1.2.0'), 'logo.png': Buffer.from([0x89, 0x50, 0x00, 0x01]) },
      date: '2024-01-04T10:00:00Z',
      message: 'deploy api v1.2.0',
    },
  ]);
  fake = await startFakeGitHub({ repos: { 'acme/gitops': fixture.bare } });
  gql = new Octokit({ auth: 'test-token', baseUrl: fake.url }).graphql;
});

afterAll(async () => {
  await fake.close();
  await removeFixtures();
});

const vars = (over: Record<string, unknown> = {}) => ({
  owner: 'acme',
  name: 'gitops',
  ref: 'main',
  historyPath: PIN,
  limit: 10,
  f0: PIN,
  f1: 'apps/api/flags.yaml',
  ...over,
});

describe('GraphQL reads against a real bare repository', () => {
  it('answers the head oid, the files at the head and the history of the pin in one query', async () => {
    const r = await gql<ReadResult>(READ, vars());
    const target = r.repository.ref!.target;
    expect(r.repository.ref!.name).toBe('main');
    expect(target.oid).toBe(fixture.oids[3]);
    expect(target.f0!.object).toEqual({
      text: kustomization('v1.2.0'),
      isBinary: false,
      byteSize: Buffer.byteLength(kustomization('v1.2.0')),
    });
    expect(target.f1!.object.text).toBe('writes_disabled: false\n');
    expect(target.history.nodes.map((n) => n.oid)).toEqual([
      fixture.oids[3],
      fixture.oids[2],
      fixture.oids[0],
    ]);
    expect(target.history.nodes.map((n) => n.file!.object.text)).toEqual([
      kustomization('v1.2.0'),
      kustomization('v1.1.0'),
      kustomization('v1.0.0'),
    ]);
    expect(fake.violations).toEqual([]);
  });

  it('gives committedDate in UTC ISO 8601 and the full commit message', async () => {
    const r = await gql<ReadResult>(READ, vars());
    const node = r.repository.ref!.target.history.nodes[1]!;
    expect(node.committedDate).toBe('2024-01-03T08:00:00Z');
    expect(node.message).toBe('deploy api v1.1.0\n\nBody line.\n\nRelease-Note: faster');
  });

  it('bounds the history walk by first, newest first', async () => {
    const r = await gql<ReadResult>(READ, vars({ limit: 1 }));
    expect(r.repository.ref!.target.history.nodes.map((n) => n.oid)).toEqual([fixture.oids[3]]);
  });

  it('accepts a fully qualified ref name', async () => {
    const r = await gql<ReadResult>(READ, vars({ ref: 'refs/heads/main' }));
    expect(r.repository.ref!.target.oid).toBe(fixture.oids[3]);
  });

  it('answers ref: null for a branch that does not exist', async () => {
    const r = await gql<ReadResult>(READ, vars({ ref: 'nope' }));
    expect(r.repository.ref).toBeNull();
  });

  it('answers file: null for a path that does not exist at that commit', async () => {
    const r = await gql<ReadResult>(READ, vars({ f1: 'apps/api/missing.yaml' }));
    expect(r.repository.ref!.target.f1).toBeNull();
  });

  it('reports binary blobs with isBinary and a null text', async () => {
    const r = await gql<ReadResult>(READ, vars({ f1: 'logo.png' }));
    expect(r.repository.ref!.target.f1!.object).toEqual({ text: null, isBinary: true, byteSize: 4 });
  });

  it('names the default branch from the bare repository HEAD', async () => {
    const r = await gql<{ repository: { defaultBranchRef: { name: string } } }>(
      'query Default($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { defaultBranchRef { name } } }',
      { owner: 'acme', name: 'gitops' },
    );
    expect(r.repository.defaultBranchRef.name).toBe('main');
  });

  it('answers NOT_FOUND for a repository it does not hold, as GitHub does', async () => {
    const error = await gql(READ, vars({ name: 'other' })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          message: "Could not resolve to a Repository with the name 'acme/other'.",
        },
      ],
    });
  });

  it('answers viewer with the token user', async () => {
    const r = await gql<{ viewer: { login: string } }>('query Who { viewer { login } }');
    expect(r.viewer.login).toBe('pinback-bot');
  });
});
