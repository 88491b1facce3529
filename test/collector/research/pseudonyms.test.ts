/**
 * The research exports' pseudonyms (collector/src/research/pseudonyms.ts): keyed, stable within a
 * key, and every known identity replaced inside text — as whole words in Latin script, anywhere in
 * Japanese — without touching the words around it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPseudonymiser } from '../../../collector/src/research/pseudonyms.ts';

const identities = [
  { userId: 'ana', name: 'Ana Lee', email: 'ana.lee@example.org' },
  { userId: 'yamada-hanako', name: '山田 花子', email: null },
];

test('a pseudonym is S + 20 hex digits, the same for the same key and user, different under another key', () => {
  const key = 'k'.repeat(32);
  const a = createPseudonymiser({ key, identities });
  const b = createPseudonymiser({ key, identities });
  const random = createPseudonymiser({ identities });
  assert.match(a.subject('ana'), /^S[0-9a-f]{20}$/);
  assert.is(a.subject('ana'), b.subject('ana'));
  assert.is.not(a.subject('ana'), a.subject('yamada-hanako'));
  assert.is.not(random.subject('ana'), a.subject('ana'));
});

test('identities inside text: user ids become the pseudonym, names and emails [redacted]; other words stay', () => {
  const p = createPseudonymiser({ identities });
  const ana = p.subject('ana');
  const hanako = p.subject('yamada-hanako');
  const cases: Array<[string, string]> = [
    ['/home/ana/lab1.ipynb', `/home/${ana}/lab1.ipynb`],
    ['/home/jupyter-yamada-hanako/lab1.ipynb', `/home/jupyter-${hanako}/lab1.ipynb`],
    ['banana and Ana_notes', `banana and ${ana}_notes`],
    ['print("ANA LEE <Ana.Lee@example.org>")', 'print("[redacted] <[redacted]>")'],
    ['AnaLeeです', '[redacted]です'],
    ['私は山田花子です。山田 花子、花子', '私は[redacted]です。[redacted]、[redacted]'],
    ['nothing to see', 'nothing to see'],
  ];
  for (const [input, output] of cases) assert.is(p.text(input), output, input);
});

test.run();
