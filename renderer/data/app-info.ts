/** What the engine says about itself (version, host, data directory): read once per session. */
import { useQuery } from '@tanstack/react-query';
import { queryKey } from './query-keys.js';

export const appInfoKey = queryKey('app.info');

/** app.info, cached for the session: none of it changes while the engine runs. */
export function useAppInfo() {
  return useQuery({ queryKey: appInfoKey, queryFn: () => window.tessera.app.info({}), staleTime: Number.POSITIVE_INFINITY });
}
