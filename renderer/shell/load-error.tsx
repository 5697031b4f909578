/** A screen's "could not load" line: what failed, why, and a button to try again. */
export function LoadError({ what, error, retry }: { what: string; error: Error; retry: () => void }) {
  return (
    <p className="error" role="alert">
      Could not {what}: {error.message}{' '}
      <button type="button" onClick={retry}>
        Try again
      </button>
    </p>
  );
}
