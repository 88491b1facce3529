/** The kernel environment probe's reply parsing and its request (pure: a stand-in kernel). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ENVIRONMENT_EXPRESSION, parseEnvironment, probeEnvironment } from '../../lab-extension/src/environmentProbe.ts';

const it = suite('lab-extension kernel environment probe');
const reply = (value: object) => ({ status: 'ok', data: { 'text/plain': `'${Buffer.from(JSON.stringify(value)).toString('base64')}'` } });

it("the base64 JSON in the expression's text repr is the environment", () => {
  const env = parseEnvironment(reply({ python: '3.11.7', implementation: 'CPython', platform: 'Linux', packages: { pandas: '2.2.3' } }), 'python3');
  assert.equal(env, { python: '3.11.7', implementation: 'CPython', platform: 'Linux', kernelName: 'python3', packages: { pandas: '2.2.3' } });
  assert.is(parseEnvironment({ status: 'error', ename: 'NameError' }, 'python3'), null);
  assert.is(parseEnvironment({ status: 'ok', data: { 'text/plain': "'not base64 json'" } }, 'python3'), null);
});

it('the request is silent, stores no history, and is only made to Python kernels', async () => {
  const sent: unknown[] = [];
  const kernel = (language: string) => ({
    name: 'python3',
    info: Promise.resolve({ language_info: { name: language } }),
    requestExecute(content: unknown) {
      sent.push(content);
      return { done: Promise.resolve({ content: { status: 'ok', user_expressions: { env: reply({ python: '3.12.1', packages: {} }) } } }) };
    },
  });
  assert.is(await probeEnvironment(kernel('R')), null);
  assert.is(sent.length, 0);
  const env = await probeEnvironment(kernel('python'));
  assert.is(env?.python, '3.12.1');
  assert.equal(sent, [{ code: '', silent: true, store_history: false, user_expressions: { env: ENVIRONMENT_EXPRESSION }, allow_stdin: false, stop_on_error: false }]);
});

it.run();
