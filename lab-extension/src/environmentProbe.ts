/**
 * The kernel's environment, read when a kernel starts by a silent request that adds nothing to the
 * student's history or execution count: an empty `silent` execute whose `user_expressions` returns
 * the Python version, platform and installed distributions (base64 JSON, so the kernel's text repr
 * cannot garble it). Python kernels only; anything unexpected is ignored. What it reports is the
 * `kernel_environment` payload declared in shared (kernelEnvironment.ts).
 */
import type { KernelEnvironment } from '@cell-monitor/shared';

export const ENVIRONMENT_EXPRESSION =
  "__import__('base64').b64encode(__import__('json').dumps({'python': __import__('platform').python_version(), " +
  "'implementation': __import__('platform').python_implementation(), 'platform': __import__('platform').platform(), " +
  "'packages': {d.metadata['Name']: d.version for d in __import__('importlib.metadata').metadata.distributions() if d.metadata['Name']}}).encode()).decode()";

/** The environment from the execute reply's `user_expressions.env` (null when it is not one). */
export function parseEnvironment(expression: unknown, kernelName: string | null): KernelEnvironment | null {
  const value = expression as { status?: string; data?: Record<string, unknown> } | undefined;
  const text = value?.status === 'ok' ? value.data?.['text/plain'] : undefined;
  if (typeof text !== 'string') return null;
  const b64 = text.trim().replace(/^'|'$/g, '');
  try {
    const parsed = JSON.parse(atob(b64)) as Partial<KernelEnvironment>;
    if (typeof parsed.python !== 'string' || typeof parsed.packages !== 'object' || parsed.packages === null) return null;
    return { python: parsed.python, implementation: String(parsed.implementation ?? ''), platform: String(parsed.platform ?? ''), kernelName, packages: parsed.packages };
  } catch {
    return null;
  }
}

/** The part of a kernel connection the probe uses. */
export interface ProbedKernel {
  readonly info: Promise<{ language_info: { name: string } }>;
  readonly name: string;
  requestExecute(content: { code: string; silent: boolean; store_history: boolean; user_expressions: Record<string, string>; allow_stdin: boolean; stop_on_error: boolean }, disposeOnDone?: boolean): { done: Promise<{ content: { status: string; user_expressions?: Record<string, unknown> } }> };
}

export async function probeEnvironment(kernel: ProbedKernel): Promise<KernelEnvironment | null> {
  const info = await kernel.info;
  if (info.language_info.name !== 'python') return null;
  const reply = await kernel.requestExecute({ code: '', silent: true, store_history: false, user_expressions: { env: ENVIRONMENT_EXPRESSION }, allow_stdin: false, stop_on_error: false }, true).done;
  return reply.content.status === 'ok' ? parseEnvironment(reply.content.user_expressions?.env, kernel.name) : null;
}
