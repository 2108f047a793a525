# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""The table code of tools/release_matrix.py and the matrix tox envs."""

import configparser
import importlib.util
import os
import re
import subprocess
import sys

import fixtures
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _load():
    path = os.path.join(TOP, 'tools', 'release_matrix.py')
    spec = importlib.util.spec_from_file_location('release_matrix', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


matrix = _load()

SRC, DST, SERVER, MIG = 'rp-src', 'rp-dst', 'server-1', 'mig-1'
F1 = {'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1}
F2 = {'VCPU': 1, 'MEMORY_MB': 2048, 'DISK_GB': 20}


def _observation(source, dest, instance):
    return {
        'server': {'id': SERVER, 'status': 'ERROR', 'host': 'host2',
                   'fault': 'Virtual Interface creation failed'},
        'migration': {'uuid': MIG, 'status': 'error'},
        'flavors': {'flavor1': F1, 'flavor2': F2},
        'providers': {'source': {'host': 'host1', 'uuid': SRC,
                                 'usages': source},
                      'dest': {'host': 'host2', 'uuid': DST,
                               'usages': dest}},
        'consumers': {'instance': {'uuid': SERVER, 'allocations': instance},
                      'migration': {'uuid': MIG, 'allocations': {}}},
    }


def _document(observation, python='3.7.16', nova='19.0.1'):
    return {'versions': {'python': python, 'nova': nova},
            'observation': observation, 'seconds': 12.5,
            'adaptations': ['_wait_for_state_change(admin_api, ...)']}


AFFECTED = _observation(F1, {}, {SRC: F1})
FIXED = _observation({}, F2, {DST: F2})


class ToxEnvsTestCase(testtools.TestCase):

    def setUp(self):
        super(ToxEnvsTestCase, self).setUp()
        self.config = configparser.ConfigParser(interpolation=None)
        self.config.read(os.path.join(TOP, 'tox.ini'))

    def test_each_series_env_has_its_constraints_and_python(self):
        wanted = {'stein': 'python3.7', 'rocky': 'python3.6',
                  'queens': 'python3.6', 'pike': 'python3.6'}
        seen = set()
        for section in self.config.sections():
            match = re.match(r'testenv:matrix-(\w+)-', section)
            if not match or match.group(1) not in wanted:
                continue
            series = match.group(1)
            seen.add(series)
            env = self.config[section]
            self.assertEqual('matrix-legacy', env['base'])
            self.assertEqual(wanted[series], env['basepython'])
            self.assertIn('tools/constraints/%s.txt' % series, env['deps'])
        self.assertEqual(set(wanted), seen)

    def test_constraints_files_have_a_source_header_and_no_nova_pin(self):
        for series in ('stein', 'rocky', 'queens', 'pike'):
            path = os.path.join(TOP, 'tools', 'constraints',
                                '%s.txt' % series)
            with open(path) as f:
                lines = f.readlines()
            self.assertIsNotNone(re.match(
                r'# openstack/requirements upper-constraints\.txt from tag '
                r'%s-eol at commit [0-9a-f]{40}$' % series,
                lines[0].strip()), lines[0])
            names = [line.split('=')[0].strip().lower() for line in lines]
            self.assertNotIn('nova', names)
            self.assertNotIn('openstack-placement', names)
            self.assertGreater(len(lines), 300)


class TableTestCase(testtools.TestCase):

    def test_env_names(self):
        self.assertEqual(('stein', '19.0.1'),
                         matrix.env_series('matrix-stein-19.0.1'))
        self.assertEqual(('2025.1', None), matrix.env_series('matrix-2025.1'))
        listing = ('default environments:\npy3 -> unit\n\nadditional '
                   'environments:\nmatrix -> old\nmatrix-stein-19.0.1   '
                   '-> Bug\nmatrix-pike-16.1.8 -> Bug\n')
        self.assertEqual(['matrix-stein-19.0.1', 'matrix-pike-16.1.8'],
                         matrix.matrix_envs(listing))

    def test_affected_release_row(self):
        row = matrix.make_row(
            'matrix-stein-19.0.1', _document(AFFECTED), {'seconds': 80.0},
            {'verdict': 'affected', 'shape': 'revert-allocation'})
        self.assertEqual('affected', row['verdict'])
        self.assertEqual(('flavor1', 'none'), (row['source'], row['dest']))
        self.assertEqual('3.7.16', row['python'])
        self.assertEqual(12.5, row['scenario_seconds'])
        self.assertTrue(matrix.all_good([row]))

    def test_fixed_release_row(self):
        row = matrix.make_row(
            'matrix-stein-19.0.2', _document(FIXED, nova='19.0.2'),
            {'seconds': 80.0},
            {'verdict': 'fixed', 'shape': 'delete-allocation-after-move'})
        self.assertEqual('fixed', row['verdict'])
        self.assertEqual(('none', 'flavor2'), (row['source'], row['dest']))

    def test_disagreement(self):
        row = matrix.make_row('matrix-stein-19.0.2', _document(AFFECTED),
                              {}, {'verdict': 'fixed', 'shape': 'x'})
        self.assertEqual('disagreement', row['verdict'])
        self.assertFalse(matrix.all_good([row]))

    def test_install_failure_row_names_package_and_error(self):
        log = ('matrix-pike-16.1.8: install_deps> pip install ...\n'
               'Collecting cryptography===2.0.2\n'
               '  Building wheel for cryptography (setup.py): started\n'
               '  error: command \'gcc\' failed with exit status 1\n'
               'ERROR: Failed building wheel for cryptography\n'
               'ERROR: Could not build wheels for cryptography\n')
        package, error = matrix.install_failure(log)
        self.assertEqual('cryptography', package)
        self.assertIn('Failed building wheel for cryptography', error)
        row = matrix.make_row('matrix-pike-16.1.8', None,
                              {'failed': True, 'package': package,
                               'error': error, 'seconds': 30})
        self.assertEqual('error', row['verdict'])
        self.assertIn('install failed: cryptography', row['reason'])
        self.assertIn('matrix-pike-16.1.8: install failed',
                      matrix.format_table([row]))

    def test_no_matching_distribution(self):
        package, error = matrix.install_failure(
            'ERROR: No matching distribution found for nova==16.1.8\n')
        self.assertEqual('nova==16.1.8', package)

    def test_scenario_error_row(self):
        row = matrix.make_row('matrix-rocky-18.2.1', {
            'versions': {'python': '3.6.15'}, 'seconds': 3,
            'scenario_error': 'Traceback...\nImportError: no module x\n'},
            {'seconds': 10})
        self.assertEqual('error', row['verdict'])
        self.assertIn('ImportError', row['reason'])

    def test_table_columns(self):
        rows = [matrix.make_row('matrix-stein-19.0.1', _document(AFFECTED),
                                {'seconds': 81.2},
                                {'verdict': 'affected', 'shape': 'r'})]
        text = matrix.format_table(rows)
        header = text.splitlines()[0].split()
        self.assertEqual('release', header[0])
        self.assertIn('stein 19.0.1', text)
        self.assertIn('81', text)


def _executable(directory, name, text='#!/bin/sh\nexit 0\n'):
    path = os.path.join(directory, name)
    os.makedirs(directory, exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
    os.chmod(path, 0o755)
    return path


class FindToxTestCase(testtools.TestCase):
    """tox is found where "pip install tox" puts it, or exit 2."""

    def setUp(self):
        super(FindToxTestCase, self).setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.script = os.path.join(TOP, 'tools', 'release_matrix.py')

    def _run(self, path_dirs, *args):
        # -S: no site-packages, so "python -m tox" cannot work whatever
        # this environment has installed; PATH is only what the test gives.
        environ = {'PATH': os.pathsep.join(path_dirs), 'HOME': self.tmp,
                   'LC_ALL': 'C.UTF-8'}
        return subprocess.run([sys.executable, '-S', self.script] +
                              list(args), env=environ, cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=120)

    def test_module_of_this_interpreter_first(self):
        _executable(os.path.join(self.tmp, 'bin'), 'tox')
        self.assertEqual(['/py', '-m', 'tox'], matrix.find_tox(
            {'PATH': os.path.join(self.tmp, 'bin')}, python='/py',
            has_module=lambda: True))

    def test_active_virtualenv_then_path(self):
        venv_tox = _executable(os.path.join(self.tmp, 'venv', 'bin'), 'tox')
        path_tox = _executable(os.path.join(self.tmp, 'bin'), 'tox')
        environ = {'PATH': os.path.join(self.tmp, 'bin'),
                   'VIRTUAL_ENV': os.path.join(self.tmp, 'venv')}
        self.assertEqual([venv_tox], matrix.find_tox(
            environ, has_module=lambda: False))
        del environ['VIRTUAL_ENV']
        self.assertEqual([path_tox], matrix.find_tox(
            environ, has_module=lambda: False))

    def test_missing_tox_names_what_was_tried(self):
        environ = {'PATH': self.tmp,
                   'VIRTUAL_ENV': os.path.join(self.tmp, 'venv')}
        exc = self.assertRaises(matrix.ToolMissing, matrix.find_tox,
                                environ, python='/py',
                                has_module=lambda: False)
        self.assertIn('"/py -m tox"', str(exc))
        self.assertIn(os.path.join(self.tmp, 'venv', 'bin', 'tox'),
                      str(exc))
        self.assertIn('"tox" on PATH', str(exc))
        self.assertIn('pip install tox', str(exc))

    def test_script_without_tox_exits_two_with_one_line(self):
        proc = self._run([os.path.join(self.tmp, 'empty')],
                         'matrix-stein-19.0.1')
        err = proc.stderr.decode()
        self.assertEqual(2, proc.returncode, err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn('tox is not installed', err)
        self.assertIn('pip install tox', err)
        self.assertEqual(b'', proc.stdout)

    def test_script_with_a_tox_that_cannot_start_exits_two(self):
        bin_dir = os.path.join(self.tmp, 'bin')
        _executable(bin_dir, 'tox', '#!/nonexistent/interpreter\n')
        proc = self._run([bin_dir])
        err = proc.stderr.decode()
        self.assertEqual(2, proc.returncode, err)
        self.assertNotIn('Traceback', err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn('cannot run tox (%s' % os.path.join(bin_dir, 'tox'),
                      err)

    def test_report_only_with_envs_needs_no_tox(self):
        proc = self._run([os.path.join(self.tmp, 'empty')], '--report-only',
                         '--format', 'json', 'matrix-nosuch-0.0.0')
        self.assertNotIn(b'tox is not installed', proc.stderr)
        self.assertIn(b'"no result recorded"', proc.stdout)
        self.assertEqual(1, proc.returncode)
