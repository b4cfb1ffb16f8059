import { UserError } from '../../common/errors';
import { DATASET_IDS, isDatasetId, type DatasetId } from '../registry';
import type { DatasetAdapter } from '../recording';
import { ecg5000Adapter } from './ecg5000';
import { haptAdapter } from './hapt';
import { mitbihAdapter } from './mitbih';
import { sisfallAdapter } from './sisfall';

export const adapters: Readonly<Record<DatasetId, DatasetAdapter>> = {
  ecg5000: ecg5000Adapter,
  hapt_uci: haptAdapter,
  mitbih: mitbihAdapter,
  sisfall: sisfallAdapter,
};

export function getAdapter(id: string): DatasetAdapter {
  if (!isDatasetId(id)) throw new UserError(`unknown dataset "${id}"; known datasets: ${DATASET_IDS.join(', ')}`);
  return adapters[id];
}
