import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRedactor, DEFAULT_RULES, redactEvent } from '../../lab-extension/src/redaction/index.ts';
import { seededRandom } from '../helpers/random.ts';

const it = suite('lab-extension secret redaction');

// Fake secrets, generated at run time from a fixed seed: the file holds no literal token, so no
// secret scanner flags it, and the values still look like the real thing.
const random = seededRandom(0x5eed1234);
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const HEX = '0123456789abcdef';
/** `n` random characters of `alphabet`, with at least one digit and one upper-case letter when it has them. */
function fake(alphabet: string, n: number): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(random() * alphabet.length)];
    const needsDigit = /\d/.test(alphabet) && n >= 8;
    const needsUpper = /[A-Z]/.test(alphabet) && n >= 8;
    if ((!needsDigit || /\d/.test(out)) && (!needsUpper || /[A-Z]/.test(out))) return out;
  }
}
const pem = (label: string, lines: number, eol = '\n') =>
  [`-----BEGIN ${label}-----`, ...Array.from({ length: lines }, () => fake(B64, 64)), `-----END ${label}-----`].join(eol);

const redact = createRedactor();
const mark = (id: string) => `[REDACTED:${id}]`;

// ---------------------------------------------------------------------------------------------
// Positives: each line must come back exactly as the line with the secret replaced by the mark.

interface Positive {
  id: string;
  secret: string;
  line: (secret: string) => string;
}

const awsKeyId = `AKIA${fake(UPPER + DIGITS, 16)}`;
const awsSessionKeyId = `ASIA${fake(UPPER + DIGITS, 16)}`;
const awsSecret = fake(B64, 40);
const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdHVkZW50LTciLCJpYXQiOjE3MzI0NDQ4MDB9.${fake(B64URL, 43)}`;

const POSITIVES: Positive[] = [
  { id: 'aws-access-key-id', secret: awsKeyId, line: (s) => `aws_access_key_id = "${s}"` },
  { id: 'aws-access-key-id', secret: awsSessionKeyId, line: (s) => `session = boto3.Session(aws_access_key_id="${s}", region_name="eu-west-1")` },
  { id: 'aws-secret-access-key', secret: awsSecret, line: (s) => `s3 = boto3.client("s3", aws_secret_access_key="${s}")` },
  { id: 'aws-secret-access-key', secret: fake(B64, 40), line: (s) => `AWS_SECRET_ACCESS_KEY=${s}` },
  { id: 'aws-secret-access-key', secret: fake(B64, 40), line: (s) => `aws_secret_access_key = ${s}` },
  { id: 'aws-secret-access-key', secret: fake(B64, 40), line: (s) => `os.environ['AWS_SECRET_ACCESS_KEY'] = '${s}'` },
  { id: 'github-token', secret: `ghp_${fake(ALNUM, 36)}`, line: (s) => `g = Github("${s}")` },
  { id: 'github-token', secret: `gho_${fake(ALNUM, 36)}`, line: (s) => `headers = {"Authorization": "token ${s}"}` },
  { id: 'github-token', secret: `ghs_${fake(ALNUM, 36)}`, line: (s) => `!git clone https://x-access-token:${s}@github.com/org/course.git` },
  { id: 'github-token', secret: `ghu_${fake(ALNUM, 36)}`, line: (s) => `gh_user_token = '${s}'  # from the device flow` },
  { id: 'github-token', secret: `ghr_${fake(ALNUM, 36)}`, line: (s) => `refresh = "${s}"` },
  { id: 'github-token', secret: `github_pat_${fake(ALNUM, 22)}_${fake(ALNUM, 59)}`, line: (s) => `GITHUB_TOKEN=${s}` },
  { id: 'gitlab-token', secret: `glpat-${fake(B64URL, 20)}`, line: (s) => `gl = gitlab.Gitlab("https://gitlab.com", private_token="${s}")` },
  { id: 'slack-token', secret: `xoxb-${fake(DIGITS, 12)}-${fake(DIGITS, 13)}-${fake(ALNUM, 24)}`, line: (s) => `client = WebClient(token="${s}")` },
  { id: 'slack-token', secret: `xoxp-${fake(DIGITS, 12)}-${fake(DIGITS, 12)}-${fake(DIGITS, 13)}-${fake(HEX, 32)}`, line: (s) => `SLACK = {'token': '${s}', 'channel': '#ta'}` },
  { id: 'google-api-key', secret: `AIza${fake(B64URL, 35)}`, line: (s) => `genai.configure(api_key="${s}")` },
  { id: 'sk-api-key', secret: `sk-${fake(ALNUM, 48)}`, line: (s) => `openai.api_key = "${s}"` },
  { id: 'sk-api-key', secret: `sk-proj-${fake(B64URL, 74)}`, line: (s) => `client = OpenAI(api_key="${s}")` },
  { id: 'sk-api-key', secret: `sk-ant-api03-${fake(B64URL, 93)}AA`, line: (s) => `client = anthropic.Anthropic(api_key='${s}')` },
  { id: 'stripe-key', secret: `sk_live_${fake(ALNUM, 24)}`, line: (s) => `stripe.api_key = "${s}"` },
  { id: 'stripe-key', secret: `rk_live_${fake(ALNUM, 24)}`, line: (s) => `STRIPE_RESTRICTED = "${s}"` },
  { id: 'stripe-key', secret: `sk_test_${fake(ALNUM, 24)}`, line: (s) => `stripe.Charge.create(amount=500, currency="eur", api_key="${s}")` },
  { id: 'huggingface-token', secret: `hf_${fake(ALNUM, 34)}`, line: (s) => `login(token="${s}")` },
  { id: 'jwt', secret: jwt, line: (s) => `resp = requests.get(url, headers={"Authorization": f"Bearer ${s}"})` },
  { id: 'jwt', secret: jwt, line: (s) => `claims = jwt.decode("${s}", options={"verify_signature": False})` },
  { id: 'private-key', secret: pem('RSA PRIVATE KEY', 6), line: (s) => `key = """${s}\n"""` },
  { id: 'private-key', secret: pem('OPENSSH PRIVATE KEY', 5), line: (s) => `print("""${s}""")` },
  { id: 'private-key', secret: pem('EC PRIVATE KEY', 3, '\\n'), line: (s) => `{"type": "service_account", "private_key": "${s}\\n", "client_email": "bot@proj.iam.gserviceaccount.com"}` },
  { id: 'private-key', secret: pem('PRIVATE KEY', 4), line: (s) => `cert.pem contents:\n${s}\n` },
  { id: 'bearer-token', secret: fake(B64URL, 40), line: (s) => `headers = {"Authorization": "Bearer ${s}"}` },
  { id: 'bearer-token', secret: `${fake(ALNUM, 20)}.${fake(ALNUM, 12)}`, line: (s) => `!curl -s -H "authorization: bearer ${s}" https://api.example.org/v2/me` },
  { id: 'bearer-token', secret: fake(ALNUM, 16), line: (s) => `session.headers["Authorization"] = "Bearer ${s}"` },
  { id: 'url-credentials', secret: 'S3cr3t-Pa55w0rd', line: (s) => `engine = create_engine("postgresql://analyst:${s}@db.internal:5432/sales")` },
  { id: 'url-credentials', secret: fake(ALNUM, 16), line: (s) => `client = MongoClient("mongodb+srv://app:${s}@cluster0.ab1cd.mongodb.net/?retryWrites=true")` },
  { id: 'password-assignment', secret: 'Tr0ub4dor&3', line: (s) => `password = "${s}"` },
  { id: 'password-assignment', secret: 'hunter2', line: (s) => `db_passwd='${s}'` },
  { id: 'password-assignment', secret: 'letmein!', line: (s) => `conn = mysql.connector.connect(host="db", user="root", pwd="${s}")` },
  { id: 'password-assignment', secret: 'correct horse battery staple', line: (s) => `os.environ["PASSWORD"] = "${s}"` },
  { id: 'password-assignment', secret: 'Sommer2024!', line: (s) => `  password: ${s}` },
  { id: 'password-assignment', secret: 'q1w2e3r4', line: (s) => `export DB_PASSWORD=${s}` },
  { id: 'password-assignment', secret: 'pa$$word', line: (s) => `if user_password == "${s}":` },
  { id: 'password-assignment', secret: 'N0t-So-Secret', line: (s) => `const dbPassword = \`${s}\`;` },
  { id: 'secret-assignment', secret: `django-insecure-${fake(LOWER + DIGITS, 40)}`, line: (s) => `SECRET_KEY = "${s}"` },
  { id: 'secret-assignment', secret: fake(HEX, 32), line: (s) => `{"api_key": "${s}", "units": "metric"}` },
  { id: 'secret-assignment', secret: fake(HEX, 32), line: (s) => `apikey: ${s}` },
  { id: 'secret-assignment', secret: fake(B64URL, 32), line: (s) => `const accessToken = '${s}';` },
  { id: 'secret-assignment', secret: fake(ALNUM, 28), line: (s) => `AUTH_TOKEN=${s}` },
  { id: 'secret-assignment', secret: fake(HEX, 24), line: (s) => `token = "${s}"` },
  { id: 'secret-assignment', secret: fake(B64URL, 34), line: (s) => `    "client_secret": "${s}",` },
  { id: 'secret-assignment', secret: fake(B64, 44), line: (s) => `private_key = r"${s}"` },
  { id: 'secret-assignment', secret: fake(ALNUM, 24), line: (s) => `api_key = os.getenv("WEATHER_API_KEY", "${s}")` },
  { id: 'secret-assignment', secret: fake(ALNUM, 24), line: (s) => `data = requests.get("https://api.example.org/v1/forecast?city=Lyon&api_key=${s}&units=metric").json()` },
  { id: 'secret-assignment', secret: fake(ALNUM, 24), line: (s) => `%env WEATHER_API_KEY=${s}` },
  { id: 'secret-assignment', secret: fake(ALNUM, 24), line: (s) => `token: str = "${s}"` },
];

it(`a corpus of ${POSITIVES.length} secrets in code comes back with only the secret masked`, () => {
  assert.ok(POSITIVES.length >= 25);
  for (const { id, secret, line } of POSITIVES) {
    const input = line(secret);
    const out = redact(input);
    assert.not.ok(out.text.includes(secret), `secret left in: ${out.text}`);
    assert.is(out.text, line(mark(id)), `rule ${id} on: ${input}`);
    assert.is(out.count, 1, `count on: ${input}`);
  }
});

it('every default rule is exercised by the corpus', () => {
  const used = new Set(POSITIVES.map((p) => p.id));
  for (const rule of DEFAULT_RULES) assert.ok(used.has(rule.id), `no positive for ${rule.id}`);
});

it('exact outputs for lines with several secrets or tricky quoting', () => {
  const gh = `ghp_${fake(ALNUM, 36)}`;
  const key = fake(HEX, 32);
  assert.equal(redact(`{"user": "ana", "password": "x", "token": "${key}", "n": 3}`), {
    text: `{"user": "ana", "password": "${mark('password-assignment')}", "token": "${mark('secret-assignment')}", "n": 3}`,
    count: 2,
  });
  // Escaped quotes stay inside the literal.
  assert.equal(redact(String.raw`password = "ab\"cd\\" ; x = 1`), { text: `password = "${mark('password-assignment')}" ; x = 1`, count: 1 });
  // A token inside a secret-named literal keeps its specific rule id, once.
  assert.equal(redact(`token = "${gh}"`), { text: `token = "${mark('github-token')}"`, count: 1 });
  // More than the token in the literal: the whole literal goes.
  assert.equal(redact(`password = "prefix ${gh}"`), { text: `password = "${mark('password-assignment')}"`, count: 1 });
  // Only the password of a URL, user and host stay.
  assert.equal(redact('redis://:Zx9-Qq8@cache:6379/0 and amqp://guest:guest@rabbit//'), {
    text: `redis://:${mark('url-credentials')}@cache:6379/0 and amqp://guest:${mark('url-credentials')}@rabbit//`,
    count: 2,
  });
  // A redacted text is left as it is when redacted again.
  for (const { secret, line } of POSITIVES) {
    const once = redact(line(secret)).text;
    assert.equal(redact(once), { text: once, count: 0 }, once);
  }
});

// ---------------------------------------------------------------------------------------------
// Look-alikes: must come back byte-identical.

const png = `iVBORw0KGgoAAAANSUhEUgAAAAoAAAAKCAYAAACNMs+9AAAAFUlEQVR42mNk${fake(B64, 200)}AAAAAElFTkSuQmCC`;
const LOOK_ALIKES: string[] = [
  `run_id = "3f2b8c1e-9d4a-4f6b-8e2c-1a7d5b9c0e4f"`,
  `print(uuid.UUID("123e4567-e89b-12d3-a456-426614174000"))`,
  `commit = "${fake(HEX, 40)}"`,
  `expected = "${fake(HEX, 64)}"  # sha256 of the data file`,
  `sha256:${fake(HEX, 64)}`,
  'password = input("Password: ")',
  'password = getpass.getpass()',
  'pw = getpass.getpass(prompt="Enter your password: ")',
  'token = tokenizer.encode(text)',
  'tokens = ["a", "b"]',
  'token = "<unk>"',
  'token = "abc"',
  'pad_token = "[PAD]"',
  'tokenizer.add_special_tokens({"bos_token": "<|endoftext|>"})',
  'api_key_length = 40',
  'secret_number = 42',
  'password_hint = ""',
  'password = ""',
  'token_type = "bearer"',
  'private_key_path = "/home/jovyan/.ssh/id_ed25519"',
  'from sklearn.model_selection import train_test_split',
  'pip install sk-learn  # typo of scikit-learn',
  'an sk-learn-compatible-estimator-pipeline wrapper',
  'see sk-Learn-Compatible-Estimator-Pipeline-Docs',
  'AKIA is the prefix of long-term AWS access key ids, ASIA of temporary ones.',
  png,
  `{"image/png": "${png}"}`,
  'https://example.com/path?x=1',
  'ssh://git@github.com:22/org/repo.git and https://example.com:8080/a@b',
  'eyJ',
  'data = base64.b64decode("eyJ1c2VyIjogImFuYSJ9")',
  'パスワードを入力してください',
  'The Bearer authentication scheme sends a token in the Authorization header.',
  'Bearer tokenization-helpers are documented below.',
  'headers = {"Authorization": f"Bearer {token}"}',
  'headers = {"Authorization": "Bearer " + token}',
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ3v0kP9w3vG1Yx0aK7rJqQeX4mUwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----',
  '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEb3vC9g0lJ8tX2yS4s1QmD7u0aX1q\n-----END PUBLIC KEY-----',
  'password = os.environ["PASSWORD"]',
  'api_key = os.getenv("OPENAI_API_KEY")',
  'client = OpenAI(api_key=api_key)',
  'conn = connect(\n    user=user,\n    password=password,\n)',
  'url = f"postgresql://{user}:{password}@{host}/db"',
  '@dataclass\nclass Login:\n    user: str\n    password: str\n    token: Optional[str] = None',
  'PWD=/home/jovyan/work',
  'password=None',
  'print("Enter password: ", end="")',
  'logger.info("token refreshed for %s", user)',
  'max_tokens = 256',
];

it(`${LOOK_ALIKES.length} look-alikes come back byte-identical`, () => {
  assert.ok(LOOK_ALIKES.length >= 20);
  for (const text of LOOK_ALIKES) assert.equal(redact(text), { text, count: 0 }, text);
});

// ---------------------------------------------------------------------------------------------

it('admin patterns mask as custom; an invalid one is skipped with a warning', () => {
  const warnings: unknown[][] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args);
  let custom: ReturnType<typeof createRedactor>;
  try {
    custom = createRedactor(['STU-\\d{6}', '(unclosed', '/emp-(?<secret>\\d{4})/i', '(?:)', '\\b', '[z-a]']);
  } finally {
    console.warn = warn;
  }
  assert.is(warnings.length, 2);
  assert.match(String(warnings[0][0]), /#2/);
  assert.match(String(warnings[1][0]), /#6/);
  assert.equal(custom('student = "STU-123456"  # EMP-0042, password = "pw"'), {
    text: `student = "${mark('custom')}"  # EMP-${mark('custom')}, password = "${mark('password-assignment')}"`,
    count: 3,
  });
  // Patterns matching only the empty string neither hang nor mask anything.
  assert.equal(custom('bbb'), { text: 'bbb', count: 0 });
  assert.equal(createRedactor([])('STU-123456'), { text: 'STU-123456', count: 0 });
  assert.equal(createRedactor()('STU-123456'), { text: 'STU-123456', count: 0 });
});

it('redactEvent masks code, string output, error message and traceback and counts in metadata', () => {
  const gh = `ghp_${fake(ALNUM, 36)}`;
  const sk = `sk-proj-${fake(B64URL, 48)}`;
  const event = {
    eventId: 'e1',
    eventType: 'cell_execution_error',
    code: `import os\nos.environ["OPENAI_API_KEY"] = "${sk}"\nrun()`,
    output: `using ${gh}\n`,
    error: { name: 'AuthenticationError', message: `Incorrect API key provided: ${sk}`, traceback: `Traceback\n  api_key="${sk}"\nAuthenticationError` },
    metadata: { outputTruncated: true },
  };
  const before = structuredClone(event);
  const out = redactEvent(event, redact);
  assert.equal(event, before, 'input not mutated');
  assert.is.not(out, event);
  assert.equal(out, {
    eventId: 'e1',
    eventType: 'cell_execution_error',
    code: `import os\nos.environ["OPENAI_API_KEY"] = "${mark('sk-api-key')}"\nrun()`,
    output: `using ${mark('github-token')}\n`,
    error: {
      name: 'AuthenticationError',
      message: `Incorrect API key provided: ${mark('sk-api-key')}`,
      traceback: `Traceback\n  api_key="${mark('sk-api-key')}"\nAuthenticationError`,
    },
    metadata: { outputTruncated: true, redactions: 4 },
  });
});

it('redactEvent walks nbformat outputs: stream lines, results, errors, nested JSON; images untouched', () => {
  const key = pem('RSA PRIVATE KEY', 3);
  const keyLines = `${key}\n`.split(/(?<=\n)/);
  const gl = `glpat-${fake(B64URL, 20)}`;
  const xox = `xoxb-${fake(DIGITS, 12)}-${fake(ALNUM, 24)}`;
  const output = [
    { output_type: 'stream', name: 'stdout', text: ['loaded key:\n', ...keyLines, 'done\n'] },
    { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': [`{'token': '${gl}',\n`, " 'n': 1}"], 'image/png': png }, metadata: {} },
    { output_type: 'display_data', data: { 'application/json': { cfg: { nested: [{ slack: xox }, 7, null, true] } } }, metadata: {} },
    { output_type: 'error', ename: 'ValueError', evalue: `bad token ${gl}`, traceback: ['\u001b[0;31mValueError\u001b[0m', `----> 1 check("${gl}")`] },
  ];
  const event: { code: string; output: unknown; metadata: Record<string, unknown> } = { code: 'show()', output, metadata: { source: 'test' } };
  const before = structuredClone(event);
  const out = redactEvent(event, redact);
  assert.equal(event, before, 'input not mutated');
  assert.is(out.metadata?.redactions, 5);
  assert.is(out.metadata?.source, 'test');
  assert.is(out.code, 'show()');
  const o = out.output as typeof output;
  assert.equal(o[0], { output_type: 'stream', name: 'stdout', text: ['loaded key:\n', `${mark('private-key')}\n`, 'done\n'] });
  assert.equal(o[1].data, { 'text/plain': [`{'token': '${mark('gitlab-token')}',\n`, " 'n': 1}"], 'image/png': png });
  assert.is((o[1].data as Record<string, unknown>)['image/png'], png);
  assert.equal(o[2].data, { 'application/json': { cfg: { nested: [{ slack: mark('slack-token') }, 7, null, true] } } });
  assert.equal(o[3], {
    output_type: 'error',
    ename: 'ValueError',
    evalue: `bad token ${mark('gitlab-token')}`,
    traceback: ['\u001b[0;31mValueError\u001b[0m', `----> 1 check("${mark('gitlab-token')}")`],
  });
  // Untouched parts are shared, not copied.
  assert.is(o[0].name, 'stdout');
  assert.is(o[1].metadata, output[1].metadata);
});

it('redactEvent returns the event itself when nothing is secret, and handles missing fields', () => {
  const event = { code: 'x = 1', output: [{ output_type: 'stream', text: ['1\n'] }], error: { name: 'E', message: 'm' } };
  assert.is(redactEvent(event, redact), event);
  const bare: { eventType: string; code?: string } = { eventType: 'notebook_saved' };
  assert.is(redactEvent(bare, redact), bare);
  const onlyError = redactEvent({ error: { name: 'E', message: 'password = "pw"' } }, redact);
  assert.equal(onlyError, { error: { name: 'E', message: `password = "${mark('password-assignment')}"` }, metadata: { redactions: 1 } });
});

it('a 64 KB cell of mixed code with secrets scattered in it is redacted completely', () => {
  const secrets: string[] = [];
  let text = '';
  while (text.length < 64 * 1024) {
    const gh = `ghp_${fake(ALNUM, 36)}`;
    const pw = fake(ALNUM, 12);
    secrets.push(gh, pw);
    text +=
      'import numpy as np\nfrom sklearn.model_selection import train_test_split\n' +
      `df = pd.read_csv("data/${fake(HEX, 8)}.csv")  # ${fake(HEX, 40)}\n` +
      'tokens = ["a", "b"]\npassword = input("Password: ")\n' +
      `g = Github("${gh}")\nDB_PASSWORD=${pw}\nprint("パスワード", df.shape)\n`;
  }
  assert.ok(text.length >= 64 * 1024);
  const out = redact(text);
  assert.is(out.count, secrets.length);
  for (const secret of secrets) assert.not.ok(out.text.includes(secret));
  assert.is(out.text.split(mark('github-token')).length - 1, secrets.length / 2);
  assert.is(out.text.split(mark('password-assignment')).length - 1, secrets.length / 2);
  assert.ok(out.text.includes('password = input("Password: ")'));
});

it.run();
