import * as core from '@actions/core';

// The Action's composition root; issue 5 wires the reconcile loop here.
async function main(): Promise<void> {
  core.info('pinback Action: not wired yet');
}

main().catch((e: unknown) => core.setFailed((e as Error).message));
