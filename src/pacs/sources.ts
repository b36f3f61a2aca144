/**
 * A PACS series as the app's FileSources: the same objects a dropped folder becomes, so scanning,
 * series choice, volume building, the viewer and everything after are the local-file code path.
 */
import { bytesSource } from '../ui/fileSources';
import type { FileSource } from '../dicom/series';
import type { DicomWebClient } from './client';

export async function pacsSeriesSources(
  client: DicomWebClient,
  studyUID: string,
  seriesUID: string,
  onProgress?: (done: number, total: number) => void,
): Promise<FileSource[]> {
  const instances = await client.retrieveSeries(studyUID, seriesUID, { onProgress });
  return instances.map((x, i) => bytesSource(`pacs/${seriesUID}/${String(i + 1).padStart(4, '0')}_${x.sopUID}.dcm`, x.bytes));
}
