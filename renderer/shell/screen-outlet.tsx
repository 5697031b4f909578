/**
 * The screen the UI store names. The queue is part of the main bundle (it is the first screen);
 * the others load on first visit, so the map's WebGL library does not delay the queue. Each screen
 * sits in its own error boundary: a screen that throws shows its error, and the shell stays usable.
 */
import { Component, type ErrorInfo, type ReactNode, Suspense, lazy } from 'react';
import { QueueScreen } from '../queue/queue-screen.js';
import { type Screen, useUi } from '../ui-store.js';
import { assertNever } from '../../shared/assert-never.js';

const JobDetail = lazy(() => import('../job-detail/job-detail.js').then((m) => ({ default: m.JobDetail })));
const PreseedView = lazy(() => import('../preseed/preseed-view.js').then((m) => ({ default: m.PreseedView })));
const MapPreview = lazy(() => import('../map/map-preview.js').then((m) => ({ default: m.MapPreview })));
const PlansView = lazy(() => import('../plans/plans-view.js').then((m) => ({ default: m.PlansView })));
const CachesView = lazy(() => import('../caches/caches-view.js').then((m) => ({ default: m.CachesView })));
const StorageView = lazy(() => import('../storage/storage-view.js').then((m) => ({ default: m.StorageView })));
const CatalogView = lazy(() => import('../catalog/catalog-view.js').then((m) => ({ default: m.CatalogView })));
const MigrateView = lazy(() => import('../esri/migrate-view.js').then((m) => ({ default: m.MigrateView })));
const WorkersView = lazy(() => import('../workers/workers-view.js').then((m) => ({ default: m.WorkersView })));
const SettingsView = lazy(() => import('../settings/settings-view.js').then((m) => ({ default: m.SettingsView })));

function render(screen: Screen): ReactNode {
  switch (screen.name) {
    case 'queue':
      return <QueueScreen />;
    case 'job':
      return <JobDetail jobId={screen.jobId} />;
    case 'preseed':
      return <PreseedView {...(screen.kind === undefined ? {} : { kind: screen.kind })} />;
    case 'map':
      return (
        <MapPreview
          {...(screen.cachePath === undefined ? {} : { cachePath: screen.cachePath })}
          {...(screen.extent === undefined ? {} : { extent: screen.extent })}
          {...(screen.datasetId === undefined ? {} : { datasetId: screen.datasetId })}
          {...(screen.jobId === undefined ? {} : { jobId: screen.jobId })}
          {...(screen.tile === undefined ? {} : { tile: screen.tile })}
          {...(screen.compareWith === undefined ? {} : { compareWith: screen.compareWith })}
        />
      );
    case 'caches':
      return <CachesView />;
    case 'storage':
      return <StorageView />;
    case 'workers':
      return <WorkersView />;
    case 'plans':
      return <PlansView />;
    case 'catalog':
      return <CatalogView />;
    case 'migrate':
      return <MigrateView />;
    case 'settings':
      return <SettingsView />;
    default:
      return assertNever(screen);
  }
}

/** Renders the current screen inside its error boundary and a loading fallback. */
export function ScreenOutlet() {
  const screen = useUi((s) => s.screen);
  // A new boundary per screen (and per job), but not per map extent (panning must not remount the
  // map) nor per preseed tab (each tab keeps its draft).
  const key = screen.name === 'job' ? `job-${screen.jobId}` : screen.name;
  return (
    <ScreenBoundary key={key}>
      <Suspense
        fallback={
          <p className="muted screen-loading" aria-busy="true">
            Loading…
          </p>
        }
      >
        {render(screen)}
      </Suspense>
    </ScreenBoundary>
  );
}

class ScreenBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('screen crashed', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (error === null) return this.props.children;
    const chunk = /dynamically imported module|Failed to fetch/i.test(error.message);
    return (
      <div className="screen-error" role="alert">
        <h2>{chunk ? 'This screen could not be loaded' : 'This screen stopped working'}</h2>
        <p className="error">{error.message}</p>
        <p>
          <button type="button" onClick={() => (chunk ? window.location.reload() : this.setState({ error: null }))}>
            {chunk ? 'Reload the console' : 'Try again'}
          </button>{' '}
          <a href="#/queue">Back to the queue</a>
        </p>
      </div>
    );
  }
}
