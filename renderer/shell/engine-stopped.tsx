/**
 * The one message a screen shows once Tessera stopped restarting a crashing engine process
 * (ENGINE_STOPPED): nothing will load until Tessera is restarted, so skeleton rows waiting for an
 * answer, or a "Try again" button, would only mislead. (app.info, which says which host this is,
 * is answered by the engine too, so the log's place is given for both.)
 */
export function EngineStopped({ why }: { why: string | undefined }) {
  return (
    <div className="panel panel-error" role="alert" data-testid="engine-stopped">
      <p>
        <strong>The engine stopped after repeated crashes.</strong> Restart Tessera to start it again: jobs that were running resume from their checkpoints.
      </p>
      <p className="small">
        Why it crashed is in the engine’s log: the terminal that runs <code>tessera serve</code>, or the terminal the desktop app was started from.
      </p>
      {why && <p className="small muted">{why}</p>}
    </div>
  );
}
