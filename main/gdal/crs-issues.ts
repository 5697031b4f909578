/**
 * CRS params checked with GDAL before a job (or its retry) takes them: a CRS GDAL does not know
 * would fail every item that reads it, after the job started; said at the form's field instead.
 */
import gdal from 'gdal-async';

/** The CRS params among `fields` that GDAL does not read, as BAD_INPUT issues (`params.<field>`). */
export async function crsIssues<F extends string>(
  params: Partial<Record<F, string | undefined>>,
  fields: readonly F[],
): Promise<{ field: string; message: string }[]> {
  const issues: { field: string; message: string }[] = [];
  for (const field of fields) {
    const value = params[field];
    if (value === undefined) continue;
    try {
      await gdal.SpatialReference.fromUserInputAsync(value);
    } catch {
      issues.push({ field: `params.${field}`, message: `GDAL does not know the CRS ${JSON.stringify(value.slice(0, 100))} (try EPSG:4326)` });
    }
  }
  return issues;
}
