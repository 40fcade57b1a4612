/** CSV export jobs. The CSV itself is a file; this is its bookkeeping. */
export type ExportStatus = 'running' | 'completed' | 'failed';

export interface ExportJob {
  id: string;
  projectId: string;
  resource: string;
  filters: Record<string, string>;
  status: ExportStatus;
  /** Total rows, known once complete. */
  rows: number | null;
  rowsDone: number;
  /** The API key that asked for it. */
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  error: string | null;
}

export interface ExportRepository {
  create(job: Omit<ExportJob, 'rows' | 'rowsDone' | 'error' | 'status'> & { status?: ExportStatus }): Promise<ExportJob>;
  get(projectId: string, id: string): Promise<ExportJob | undefined>;
  /** Newest first. */
  list(projectId: string, page: { limit: number; after?: string }): Promise<ExportJob[]>;
  progress(id: string, rowsDone: number): Promise<void>;
  finish(id: string, rows: number): Promise<void>;
  fail(id: string, error: string): Promise<void>;
}
