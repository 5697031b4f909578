/** Job and item states, and the ones a job never leaves on its own (legal transitions: main/store/job-states.ts). */

/** Job states. Which transitions are legal lives in main/engine/job-states.ts, nowhere else. */
export const JOB_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Item states: one item per dataset, layer, file or zoom level of a job. `interrupted`: not
 * finished when its job was interrupted (a crash or a shutdown); the job's resume queues it again.
 */
export const ITEM_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** States a job never leaves on its own. */
export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'partial', 'failed', 'cancelled', 'interrupted'];
