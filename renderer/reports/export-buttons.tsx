/**
 * One button per report format of a job (JSON, CSV, HTML, PDF): each asks the engine for the
 * report and saves what comes back as a file.
 */
import { useMutation } from '@tanstack/react-query';
import type { ReportFormat } from '../../shared/contract.js';
import { downloadReport } from './report-file.js';
import './export-buttons.css';

const FORMATS: readonly { format: ReportFormat; label: string; what: string }[] = [
  { format: 'json', label: 'JSON', what: 'everything: job, items, event log, tile issues' },
  { format: 'csv', label: 'CSV', what: 'one row per item, for a spreadsheet' },
  { format: 'html', label: 'HTML', what: 'a page to read or print' },
  { format: 'pdf', label: 'PDF', what: 'a document to file or send' },
];

/** The JSON, CSV, HTML and PDF report buttons of a job; one export at a time, its failure shown below. */
export function ExportButtons({ jobId }: { jobId: number }) {
  const exportReport = useMutation({
    mutationFn: async (format: ReportFormat) => {
      const file = await window.tessera.jobs.report({ id: jobId, format });
      downloadReport(file);
      return file;
    },
  });
  const busy = exportReport.isPending ? exportReport.variables : null;
  return (
    <div className="export-buttons">
      {/* biome-ignore lint/a11y/useSemanticElements: a row of buttons (the ARIA group pattern), not form fields for a <fieldset> */}
      <div role="group" aria-label="Export report" className="button-group">
        <span className="muted small">Report</span>
        {FORMATS.map(({ format, label, what }) => (
          <button
            key={format}
            type="button"
            data-format={format}
            title={`Download the report as ${label}: ${what}`}
            disabled={busy !== null}
            aria-busy={busy === format}
            onClick={() => exportReport.mutate(format)}
          >
            {busy === format ? `${label}…` : label}
          </button>
        ))}
      </div>
      {exportReport.error && (
        <p className="error small" role="alert">
          Could not export the {exportReport.variables?.toUpperCase()} report: {exportReport.error.message}
        </p>
      )}
    </div>
  );
}
