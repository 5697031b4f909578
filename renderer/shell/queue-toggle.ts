/**
 * Pause and resume of the queue, for the header button and the `p` shortcut. The answer (and the
 * queue.changed event) go into the queue.get query that both read.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queueKeys } from '../queue/job-cache.js';
import { useToasts } from './notifications.js';

/** The queue's state (paused, counts), kept current by queue.changed events. */
export function useQueueState() {
  return useQuery({ queryKey: queueKeys.queueState, queryFn: () => window.tessera.queue.get({}) });
}

/** The queue state plus a toggle that pauses or resumes it and reports a refusal as a toast. */
export function useQueueToggle() {
  const queryClient = useQueryClient();
  const queue = useQueueState();
  const toggle = useMutation({
    mutationFn: (pause: boolean) => (pause ? window.tessera.queue.pause({}) : window.tessera.queue.resume({})),
    onSuccess: (state) => queryClient.setQueryData(queueKeys.queueState, state),
    onError: (error) => useToasts.getState().push({ tone: 'bad', title: 'Could not change the queue', body: (error as Error).message }),
  });
  return {
    queue,
    pending: toggle.isPending,
    /** Pauses a running queue, resumes a paused one; nothing while the state is unknown. */
    toggle: () => {
      if (queue.data && !toggle.isPending) toggle.mutate(!queue.data.paused);
    },
  };
}
