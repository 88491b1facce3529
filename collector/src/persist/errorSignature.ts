/**
 * What an error says with the parts that differ from student to student masked — quoted names and
 * strings, numbers, <…> placeholders, paths: "NameError: name '…' is not defined". The persister
 * stores it with each error (error_logs.signature); the dashboard groups the class's errors by it.
 */
const MASK = '…';
const MAX_SIGNATURE_CHARS = 200;

/** The message's first line with its literals and identifiers masked, after the error's name. */
export function errorSignature(name: string, message: string): string {
  const first = (message.split('\n').find((line) => line.trim() !== '') ?? '').trim();
  const masked = first
    .replace(/'(?:[^'\\]|\\.)*'/g, `'${MASK}'`)
    .replace(/"(?:[^"\\]|\\.)*"/g, `"${MASK}"`)
    .replace(/<[^<>]*>/g, `<${MASK}>`)
    .replace(/(?:^|(?<=[\s(=:]))(?:\/|[A-Za-z]:\\)[^\s,)'"]+/g, MASK)
    .replace(/\b0x[0-9a-fA-F]+\b/g, MASK)
    .replace(/(?<![A-Za-z_])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/g, MASK);
  const signature = masked ? `${name}: ${masked}` : name;
  return signature.length > MAX_SIGNATURE_CHARS ? `${signature.slice(0, MAX_SIGNATURE_CHARS - 1)}…` : signature;
}
