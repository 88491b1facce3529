/** Body of the 202 reply of `POST /api/v1/events`. */
export interface IngestResponse {
  accepted: number;
  duplicates: number;
  rejected: IngestRejection[];
}

export interface IngestRejection {
  index: number;
  error: string;
  message: string;
}

/** Body of every error reply of the collector. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

