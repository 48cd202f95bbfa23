/**
 * `dcos janitor cleanup`: what janitor.py -r ROLE -p PRINCIPAL -z ZKNODE does, by phase:
 * the target (cleanup-target.ts), the selection of each resource (selection.ts), the plan
 * from one read (cleanup-plan.ts), the execution: destroy volumes -> re-read -> unreserve ->
 * ZooKeeper (cleanup-execute.ts), and the verification from a fresh read (cleanup-verify.ts).
 * Every step starts from the cluster's current state, so an interrupted run is finished by
 * running it again.
 */

export * from './cleanup-plan';
export { targetFromRequest } from './cleanup-target';
export { cleanUp } from './cleanup-execute';
export { cleanupCommandLine, leftoversOf, verificationOf, verifyCleanup } from './cleanup-verify';
