/** Request bodies exactly as the user's specification shows them (seed 001 curl, seed 003 §1.1). */
export const SEED_001_CURL_BODY = [
  { eventId: 'test', eventType: 'cell_executed', eventTime: '2024-01-01T00:00:00Z', userId: 'test-user' },
];

export const SEED_003_START = {
  event_type: 'cell_execution_start', student_id: 'user123', session_id: 'sess-abc',
  notebook_path: '/notebooks/assignment1.ipynb', cell_id: 'cell-123', execution_count: 1,
  code: "print('hello')", timestamp: '2025-01-19T12:00:00Z',
};

export const SEED_003_COMPLETE = {
  event_type: 'cell_execution_complete', student_id: 'user123', session_id: 'sess-abc',
  notebook_path: '/notebooks/assignment1.ipynb', cell_id: 'cell-123', execution_count: 1,
  output: { data: 'hello', execution_count: 1 }, duration_ms: 150, success: true, timestamp: '2025-01-19T12:00:01Z',
};

export const SEED_003_ERROR = {
  event_type: 'cell_execution_error', student_id: 'user123', session_id: 'sess-abc',
  notebook_path: '/notebooks/assignment1.ipynb', cell_id: 'cell-123', execution_count: 1,
  error: { name: 'NameError', message: "name 'x' is not defined", traceback: '...' }, timestamp: '2025-01-19T12:00:01Z',
};
