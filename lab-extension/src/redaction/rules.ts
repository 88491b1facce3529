/**
 * The rule table of secret redaction: which text is a secret, one regular expression per shape
 * (cloud keys, API tokens, JWTs, private keys, passwords in URLs, string literals assigned to
 * secret-looking names). spans.ts runs them; this file only says what they match.
 *
 * Every default pattern is linear-time: no nested quantifiers, repetitions are bounded or stop at a
 * character they exclude, and matches can only start where a lookbehind or a line anchor allows.
 */

export interface RedactionRule {
  id: string;
  pattern: RegExp;
  /**
   * Which capture group holds the secret. Default: the named group `secret` when the pattern has
   * one, else the whole match.
   */
  group?: number;
}

/** Rule id of the admin-configured extra patterns. */
export const CUSTOM_RULE_ID = 'custom';

// ---------------------------------------------------------------------------------------------
// Assignments of string literals to secret-looking names.

/** Names whose value is a password: any non-empty literal is masked. */
const PASSWORD_NAMES = String.raw`(?:pass(?:word|wd|phrase)|pwd|[_-]pass)`;
/** Names whose value is a key or token: literals of 8+ characters are masked (`token = "<pad>"` is not a secret). */
const SECRET_NAMES = String.raw`(?:secret(?:[_-]?(?:access[_-]?)?key)?|token|api[_-]?key|access[_-]?key|private[_-]?key|(?:signing|encryption|master)[_-]?key)`;

/** An identifier ending in one of `keywords` (prefix such as `db_`, `client`, `AWS_SECRET_`). */
const name = (keywords: string) => String.raw`[A-Za-z0-9_-]{0,40}?${keywords}`;
/** The same, upper case only (env variable names). */
const upperName = (keywords: string) => String.raw`[A-Z0-9_]{0,40}?${keywords.toUpperCase()}`;

/** The same source matching letters in either case, for patterns compiled without the `i` flag. */
function anyCase(source: string): string {
  return source.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** A quoted string literal (optionally r/b/u/f-prefixed) whose content, `secret`, has at least `min` characters. */
function quotedValue(min: number): string {
  // Whole-value placeholders are not secrets: <your-key>, [PAD], {api_key}, ${TOKEN}, and an
  // earlier redaction mark.
  const placeholder = String.raw`(?!\[REDACTED:|<[^<>\r\n]{0,100}>\k<q>|\[[A-Za-z_]{1,20}\]\k<q>|\$?\{[^{}\r\n]{0,100}\}\k<q>)`;
  return String.raw`[rRbBuUfF]{0,2}(?<q>["'\x60])${placeholder}(?<secret>(?:(?!\k<q>)[^\\\r\n]|\\.){${min},2000})\k<q>`;
}

const NOT_A_VALUE = anyCase('(?:none|null|nil|true|false|undefined)');
const UNQUOTED_CHAR = String.raw`[^\s"'\x60&#;,()\[\]{}<>]`;

/** An unquoted value (env files, YAML, query strings) of at least `min` characters; not a path, variable or null. */
function bareValue(min: number): string {
  return String.raw`(?<secret>(?!${NOT_A_VALUE}(?!${UNQUOTED_CHAR}))(?![\/~$%*&!|>])${UNQUOTED_CHAR}{${min},500})`;
}

/** A YAML scalar (may contain spaces) that is not a Python/TS type annotation nor an environment lookup. */
function yamlValue(min: number): string {
  const notType = String.raw`(?!(?:str|bytes|string|int|float|bool|any|secretstr|secretbytes|${NOT_A_VALUE}|yes|no)[ \t]*;?[ \t]*(?:#.*)?$)`;
  const notLookup = String.raw`(?!(?:process\.env|os\.environ|os\.getenv|import\.meta\.env|env\.|getenv))`;
  // `token: str = "…"` is an annotated assignment (another pattern), not YAML.
  const notAssignment = String.raw`(?![^\r\n#]{0,500}?[ \t]=)`;
  return String.raw`${notType}${notLookup}${notAssignment}(?<secret>(?![\/~$%*&!|>])[^\s"'\x60#()\[\]{}](?:[^\r\n#()\[\]{}]{${Math.max(0, min - 2)},500}[^\s#()\[\]{}])${min > 1 ? '' : '?'})(?=[ \t]*(?:#.*)?$)`;
}

function assignmentRules(id: string, keywords: string, min: number): RedactionRule[] {
  const n = name(keywords);
  const q = quotedValue(min);
  const notInWord = String.raw`(?<![A-Za-z0-9_"'\x60-])`;
  return [
    // "password": "…" · 'api_key' => '…' · os.environ["PASSWORD"] = "…"
    { id, pattern: new RegExp(String.raw`${notInWord}(?<nq>["'\x60])${n}\k<nq>\]?[ \t]*(?:={1,3}|:=|=>|:)[ \t]*${q}`, 'i') },
    // os.getenv("API_KEY", "…") · os.environ.setdefault("TOKEN", "…")
    { id, pattern: new RegExp(String.raw`(?<=\()[ \t]*(?<nq>["'\x60])${n}\k<nq>[ \t]*,[ \t]*${q}`, 'i') },
    // password = "…" · self.api_key='…' · token: str = "…" · login(password="…") · if pwd == "…"
    {
      id,
      pattern: new RegExp(
        String.raw`${notInWord}${n}(?:[ \t]*:[ \t]*[A-Za-z_][A-Za-z0-9_.\[\], |]{0,60}?)?[ \t]*(?:={1,3}|!={1,2}|:=|=>)[ \t]*${q}`,
        'i',
      ),
    },
    // YAML / JS object keys with a quoted value: `password: "…"` · `{ apiKey: '…' }`
    { id, pattern: new RegExp(String.raw`(?:^[ \t]*(?:-[ \t]+)?|(?<=[{,])[ \t]*)${n}[ \t]*:[ \t]*${q}`, 'im') },
    // YAML with a plain value: `password: hunter2`
    { id, pattern: new RegExp(String.raw`^[ \t]*(?:-[ \t]+)?${n}[ \t]*:[ \t]+${yamlValue(min)}`, 'im') },
    // env lines: `DB_PASSWORD=hunter2` · `export token=…` · `%env API_KEY=…` (a lowercase name
    // without export is a Python keyword argument, not an env line)
    {
      id,
      pattern: new RegExp(
        String.raw`^[ \t]*(?:${anyCase('(?:export|set|%env|%set_env)')}[ \t]+${name(anyCase(keywords))}|${upperName(keywords)})=${bareValue(min)}(?=[ \t]*(?:#.*)?$)`,
        'm',
      ),
    },
    // query strings and connection strings: `?api_key=…&` · `;Password=…;`
    { id, pattern: new RegExp(String.raw`(?<=[?&;])${n}=${bareValue(min)}(?=[\s"'\x60&#;]|$)`, 'im') },
  ];
}

// ---------------------------------------------------------------------------------------------

/** Default rules, most specific first: where two rules match the same text, the earlier one names it. */
export const DEFAULT_RULES: readonly RedactionRule[] = Object.freeze([
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP …), whole block; a block cut before its END
  // line is masked as far as its base64 body goes. Certificates and public keys are not matched.
  {
    id: 'private-key',
    pattern:
      /-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,8000}?-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=\r\n]|\\[nr]){0,8000})/,
  },
  // JSON Web Tokens: header.payload.signature, base64url, header starts with eyJ ('{"').
  { id: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/ },
  { id: 'aws-access-key-id', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/ },
  {
    id: 'aws-secret-access-key',
    pattern:
      /(?<![A-Za-z0-9])(?:aws[_-]?)?secret[_-]?(?:access[_-]?)?key["'\]]{0,2}[ \t]*(?:=|:|=>)[ \t]*[rbuf]?["'`]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    group: 1,
  },
  { id: 'github-token', pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { id: 'gitlab-token', pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/ },
  { id: 'slack-token', pattern: /(?<![A-Za-z0-9_-])xox[abprse]-[A-Za-z0-9-]{10,}/ },
  { id: 'google-api-key', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
  { id: 'huggingface-token', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/ },
  { id: 'stripe-key', pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/ },
  // OpenAI / Anthropic style: sk-…, sk-proj-…, sk-ant-api03-…; the body needs a digit and an
  // uppercase letter, so hyphenated words (sk-learn, sk-learn-compatible-pipeline) survive.
  {
    id: 'sk-api-key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?=[A-Za-z0-9_-]{0,300}?[0-9])(?=[A-Za-z0-9_-]{0,300}?[A-Z])[A-Za-z0-9_-]{20,}/,
  },
  // Authorization: Bearer <token>: a word of 16+ token characters with a digit, or 24+.
  {
    id: 'bearer-token',
    pattern:
      /(?<![A-Za-z0-9_])bearer[ \t]+((?:(?=[A-Za-z0-9._~+/-]{0,300}?[0-9])[A-Za-z0-9._~+/-]{16,}|[A-Za-z0-9._~+/-]{24,})=*)/i,
    group: 1,
  },
  // scheme://user:password@host: only the password; placeholders ({pw}, $PW, <pw>, ***) survive.
  {
    id: 'url-credentials',
    pattern:
      /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s:/@?#"'<>]{0,256}:(?!\[REDACTED:|\$?\{[^}\s@]{0,100}\}@|<[^>\s@]{0,100}>@|\$[A-Za-z_][A-Za-z0-9_]{0,60}@|%s@|\*+@)([^\s/@?#"'<>]{1,256})@/,
    group: 1,
  },
  ...assignmentRules('password-assignment', PASSWORD_NAMES, 1),
  ...assignmentRules('secret-assignment', SECRET_NAMES, 8),
] satisfies RedactionRule[]);
