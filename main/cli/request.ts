/**
 * How the CLI asks the engine (or the read-only handlers) for something: by the contract's request
 * name, with the input checked by the request's zod schema (defaults filled in) as a host's
 * dispatcher does, but throwing the TesseraError instead of answering a reply.
 *
 * The schemas (zod and every kind's params) are imported only when an input needs them: the
 * read-only commands' usual inputs are checked by plain-inputs.ts, exactly as the schema would.
 */
import type { ContractHandlers, RequestName, RequestParsed, RequestResult } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { plainInput } from './plain-inputs.js';
import { rememberInput } from './refused-inputs.js';

/** parseRequest, remembering a refused input so that the refusal can name the options (input-words.ts). */
export async function parseInput<N extends RequestName>(name: N, input: unknown): Promise<RequestParsed<N>> {
  const plain = plainInput(name, input);
  if (plain) return plain as RequestParsed<N>;
  const { parseRequest } = await import('../engine/handlers.js');
  try {
    return parseRequest(name, input);
  } catch (error) {
    if (error instanceof TesseraError) rememberInput(error, name, input);
    throw error;
  }
}

export async function request<N extends RequestName>(handlers: Pick<ContractHandlers, N>, name: N, input: unknown): Promise<RequestResult<N>> {
  const handler = handlers[name] as (input: unknown) => Promise<RequestResult<N>> | RequestResult<N>;
  return handler(await parseInput(name, input));
}

/** Every row of a paged request, page after page. */
export async function allRows<N extends 'jobs.tileIssues' | 'catalog.list' | 'jobs.items' | 'jobs.list', Row = RequestResult<N>['rows'][number]>(
  handlers: Pick<ContractHandlers, N>,
  name: N,
  input: Record<string, unknown>,
): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  do {
    const page = (await request(handlers, name, { ...input, ...(cursor !== undefined && { cursor }) })) as { rows: Row[]; nextCursor: string | null };
    rows.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}
