#!/usr/bin/env node
// What `npm test` needs besides node_modules, installed when missing so that a newcomer types only
// `npm test`: Debian's postgresql, redis-server, victoria-metrics (the InfluxDB sink's test server), docker-compose (only to validate docker-compose.yml: there is no container engine), chromium (+ fonts-liberation and, for Japanese, fonts-ipafont-gothic, for readable
// screenshots) and the Python packages of lab-extension/requirements-test.txt. Uses apt-get as
// root, or through sudo. If something cannot be installed, the tests that need it fail under
// CI=true and are reported as skipped otherwise (they say why).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APT = ['postgresql', 'redis-server', 'victoria-metrics', 'docker-compose', 'chromium', 'fonts-liberation', 'fonts-ipafont-gothic', 'systemd']; // systemd: systemd-analyze verify (packaging test)
const python = process.env.PYTHON ?? 'python3';
const ci = process.env.CI === 'true';
const run = (cmd, args, options = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...options }).status === 0;
const quiet = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
let ok = true;

const missing = APT.filter((pkg) => !quiet('dpkg', ['-s', pkg]));
if (missing.length > 0) {
  console.log(`# installing Debian packages: ${missing.join(' ')}`);
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const apt = (args) => (asRoot.length ? run(asRoot[0], [...asRoot.slice(1), 'apt-get', ...args]) : run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }));
  if (!quiet('which', ['apt-get']) || !apt(['update', '-qq']) || !apt(['install', '-y', '-qq', '--no-install-recommends', ...missing])) {
    console.log(`# could not install ${missing.join(' ')} (needs apt-get as root or passwordless sudo)`);
    ok = false;
  }
}

const pythonReady = () => quiet(python, ['-c', 'import jupyterlab, ipykernel, jupyter_server, pytest, pytest_jupyter, hatchling']);
if (!pythonReady()) {
  console.log(`# installing the Python test requirements (lab-extension/requirements-test.txt) with ${python} -m pip`);
  const pip = [python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', path.join(root, 'lab-extension/requirements-test.txt')]];
  if (!run(pip[0], process.getuid?.() === 0 ? [...pip[1], '--root-user-action=ignore'] : pip[1]) || !pythonReady()) {
    console.log('# could not install the Python test requirements');
    ok = false;
  }
}

if (!ok && ci) {
  console.log('CI=true: a missing test prerequisite is a failure');
  process.exit(1);
}
