/** What every form of a case page gets: the case as read, its API, the reload, and whether it is shown. */
import type { caseApi } from '../api';
import type { CaseView } from '../types';

export interface CaseFormProps {
  v: CaseView;
  api: ReturnType<typeof caseApi>;
  onDone(): Promise<void>;
  shown: boolean;
}
