/**
 * Secret redaction in the browser, before an event is queued: code, error text and output are
 * scanned for credentials (cloud keys, API tokens, JWTs, private keys, passwords in URLs and
 * string literals assigned to secret-looking names) and only the secret part is replaced by
 * `[REDACTED:<rule id>]`, so the surrounding code stays readable on the dashboard.
 *
 * Pure and dependency-free (bundled into the JupyterLab extension), in three parts: the rule table
 * (rules.ts), the span engine that runs it over one text (spans.ts), and the walker that picks the
 * strings of an event (walk.ts).
 */
export { CUSTOM_RULE_ID, DEFAULT_RULES, type RedactionRule } from './rules.ts';
export { createRedactor, REDACTION_MARK_PREFIX, type Redactor } from './spans.ts';
export { redactEvent } from './walk.ts';
