/**
 * The `kernel_environment` event's payload, declared once: the extension's probe
 * (lab-extension/src/environmentProbe.ts) reads it from the kernel by a silent request and sends it
 * as the event's `metadata.environment`; the collector (environment/store.ts) reads it back, cuts
 * its strings and keeps one row per distinct environment per student. No dependency, like
 * limits.ts: the extension may bundle it.
 */

/** A Python kernel's environment as the probe reports it. */
export interface KernelEnvironment {
  /** `platform.python_version()`, e.g. `3.11.7`. */
  python: string;
  /** `platform.python_implementation()`, e.g. `CPython`; empty when the kernel did not say. */
  implementation: string;
  /** `platform.platform()`, e.g. `Linux-6.1.0-x86_64-with-glibc2.36`; empty when the kernel did not say. */
  platform: string;
  /** The kernel's name (`python3`); null when unknown. */
  kernelName: string | null;
  /** Installed distributions: name → version. */
  packages: Record<string, string>;
}

/** The `metadata` of a `kernel_environment` event. */
export interface KernelEnvironmentMetadata {
  environment: KernelEnvironment;
}
