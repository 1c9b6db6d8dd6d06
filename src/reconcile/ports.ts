import type { Mode } from '../config/policy.js';
import type { GitOpsStore, Identity } from '../gitops/store.js';
import type { IncidentSink } from '../incident/sink.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { Notifier } from '../notify/index.js';
import type { DecisionRecorder } from '../records/decision.js';
import type { ServicePolicy } from '../config/policy.js';

/** A rollback proposed as a pull request: merging it is the approval. */
export interface Proposal {
  branch: string;
  base: string;
  title: string;
  body: string;
}

/** The newest pull request from a branch: open, or closed without a merge (a person said no). */
export interface FoundProposal {
  url: string;
  state: 'open' | 'rejected' | 'merged';
}

/** Pull requests for `mode: propose`; the GitHub adapter implements it. */
export interface Proposals {
  find(branch: string): Promise<FoundProposal | undefined>;
  /** Opens the pull request, or updates the open one for the same branch; returns its URL. */
  open(p: Proposal): Promise<string>;
  /**
   * Closes the open pull request of a branch with a comment (a proposal superseded by a commit);
   * returns its URL, or undefined when none is open. Absent: the proposal is left open.
   */
  close?(branch: string, comment: string): Promise<string | undefined>;
}

/**
 * The ports one service's reconciliation needs; the CLI and the Action each build them once.
 * "Once" lives in the sinks: the composition root wraps the incident sink so that an incident is
 * opened and an update added at most once per process (watch rounds repeat; people must not).
 */
export interface Ports {
  store: GitOpsStore;
  providers: ReadonlyMap<string, MetricsProvider>;
  incidents: IncidentSink;
  /** Pull requests for `mode: propose`. */
  proposals?: Proposals | undefined;
  /** Where a service's notifications go (its `on_rollback.notify`). */
  notifiers?: ((service: ServicePolicy) => Notifier[]) | undefined;
  /**
   * Where every judgement is recorded (allow too): commit statuses in the Action, JSON lines with
   * `--decision-log` in the CLI. A record that cannot be written is a warning.
   */
  decisions?: DecisionRecorder | undefined;
  /** Problems that do not fail the run: a notification that could not be delivered. */
  warn?: ((message: string) => void) | undefined;
  now: () => Date;
}

export interface RunContext {
  policyFile: string;
  policyDigest: string;
  actor: string;
  runUrl: string | undefined;
  author: Identity;
  /** Overrides every service's mode (`--mode`). */
  mode: Mode | undefined;
  /** How often a commit on a moving branch is re-read, re-decided and retried. */
  attempts: number;
  /** How many commits of a pin's history are read (bounded: history walks are the slow part). */
  historyLimit: number;
  /** An explicit signal that started this run (an alert's reason), noted on a standing incident. */
  signal?: string | undefined;
  /** `gitops.record_authors`: whose commits may carry pinback's rollback records. */
  recordAuthors?: readonly string[] | undefined;
}

export const DEFAULT_RUN: Pick<RunContext, 'attempts' | 'historyLimit'> = { attempts: 5, historyLimit: 50 };

/** A service that cannot be reconciled as configured or as found: the message says what to fix. */
export class ReconcileError extends Error {
  override name = 'ReconcileError';
}
