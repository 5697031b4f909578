/**
 * The command line asked for something malformed: exit 2, with a pointer to the command's help.
 * Alone in its module so that each command's own usage errors (PreseedUsageError…) extend it
 * without loading what command-support.ts reaches, and tessera.ts tells them all apart by it.
 */
export class UsageError extends Error {}
