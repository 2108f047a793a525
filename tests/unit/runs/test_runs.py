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


"""The run layer's parts that need no nova: cache, protocol, folding,
the skip rule, the watch loop and the confinement's command line."""

import json
import os
import subprocess
import sys
import tempfile

import fixtures
import testtools

from nova_resize_checks.runs import cache
from nova_resize_checks.runs import confinement
from nova_resize_checks.runs import failure
from nova_resize_checks.runs import filesystem
from nova_resize_checks.runs import pool
from nova_resize_checks.runs import protocol
from nova_resize_checks.runs import results
from nova_resize_checks.runs import skip
from nova_resize_checks.runs import watch


class TestCache(testtools.TestCase):

    def setUp(self):
        super(TestCache, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cache = cache.Cache(self.dir)

    def test_round_trip(self):
        result = results.RunResult('real', 'fail', 1.5, 'E', attempts=['x'])
        self.cache.put('aa' * 32, result)
        found = self.cache.get('aa' * 32)
        self.assertTrue(found.cached)
        found.cached = False
        self.assertEqual(result, found)

    def test_foreign_or_forged_entries_are_ignored(self):
        key = 'bb' * 32
        path = os.path.join(self.dir, key[:2], key + '.json')
        os.makedirs(os.path.dirname(path))
        for payload in ({'variant': 'real', 'outcome': 'forged'},
                        {'variant': 'real', 'outcome': 'pass', 'x': 1},
                        ['real', 'pass'], None):
            with open(path, 'w') as f:
                json.dump({'format': cache.FORMAT, 'key': key,
                           'payload': payload}, f)
            self.assertIsNone(self.cache.get(key))
        with open(path, 'w') as f:
            json.dump({'format': cache.FORMAT, 'key': 'cc' * 32,
                       'payload': {'variant': 'real', 'outcome': 'pass'}},
                      f)
        self.assertIsNone(self.cache.get(key))
        with open(path, 'w') as f:
            f.write('{"format": 5, "key": ')
        self.assertIsNone(self.cache.get(key))

    def test_unwritable_cache_is_not_fatal(self):
        blocker = os.path.join(self.dir, 'file')
        open(blocker, 'w').close()
        broken = cache.Cache(os.path.join(blocker, 'sub'))
        broken.put('dd' * 32, results.RunResult('real', 'pass'))
        self.assertIsNone(broken.get('dd' * 32))


class TestVersion(testtools.TestCase):

    def test_key_is_the_bytes_that_run(self):
        # Comments and hidden code are part of what runs: keys differ.
        self.assertNotEqual(results.Version('x = 1\n').key(),
                            results.Version('x = 1  # c\n').key())
        self.assertEqual(results.Version('x = 1\n', label='a').key(),
                         results.Version('x = 1\n', label='b').key())

    def test_text_and_overlay_matter_label_does_not(self):
        a = results.Version('x = 1\n', label='a')
        self.assertEqual(a.key(), results.Version('x = 1\n').key())
        self.assertNotEqual(a.key(), results.Version('x = 2\n').key())
        self.assertNotEqual(a.key(), results.Version(
            'x = 1\n', (('nova/a.py', 'y'),)).key())


class TestProtocol(testtools.TestCase):

    def _stream(self, events):
        import io

        buf = io.BytesIO()
        writer = protocol.Writer(buf)
        events(writer)
        return buf.getvalue()

    def test_round_trip(self):
        def events(w):
            w.environment(versions={'nova': '34.0.0'})
            w.variant_started('real')
            w.test('real', {'id': 't.a', 'status': 'pass'})
            w.test('real', {'id': 't.b', 'status': 'timeout',
                            'traceback': 'T'})
            w.variant_done('real', 2.5)
            w.variant_started('m')
            w.attempt('os.kill(1, 9)')
        found = protocol.read(self._stream(events))
        self.assertEqual({'nova': '34.0.0'}, found.versions)
        self.assertEqual(['real', 'm'], found.started)
        self.assertEqual({'real': 2.5}, found.done)
        self.assertEqual([('t.a', 'pass'), ('t.b', 'timeout')],
                         [(r['id'], r['status'])
                          for r in found.tests['real']])
        self.assertEqual(['os.kill(1, 9)'], found.attempts)

    def test_garbage_and_cut_streams_never_raise(self):
        data = self._stream(lambda w: w.test(
            'real', {'id': 't', 'status': 'fail', 'traceback': 'x' * 999}))
        for blob in (b'', b'\xb3' * 100, data[:-7], b'{"pass": true}\n',
                     os.urandom(4096), data + os.urandom(300)):
            found = protocol.read(blob)
            self.assertIsInstance(found.tests, dict)

    def test_environment_error(self):
        found = protocol.read(self._stream(
            lambda w: w.environment(error='no nova')))
        self.assertEqual('no nova', found.environment_error)


class TestFailure(testtools.TestCase):

    def test_pass(self):
        self.assertEqual({'outcome': 'pass'}, failure.fold(
            [{'id': 'a', 'status': 'pass', 'traceback': ''}], 'm.py', ''))

    def test_no_tests_is_an_error(self):
        self.assertEqual('error', failure.fold([], 'm.py', '')['outcome'])

    def test_skip_is_not_a_pass(self):
        self.assertEqual('error', failure.fold(
            [{'id': 'a', 'status': 'skip', 'traceback': 'skipped: x'}],
            'm.py', '')['outcome'])

    def test_timeout_and_limits(self):
        self.assertEqual('timeout', failure.fold(
            [{'id': 'a', 'status': 'timeout', 'traceback': 'T'}],
            'm.py', '')['outcome'])
        self.assertEqual('limit', failure.fold(
            [{'id': 'a', 'status': 'error', 'traceback': 'MemoryError'}],
            'm.py', '')['outcome'])

    def test_uuids_are_masked(self):
        found = failure.fold([{'id': 'a', 'status': 'fail', 'traceback':
                               'AssertionError: 0123abcd-0000-4000-8000-'
                               '00000000cafe missing'}], 'm.py', '')
        self.assertEqual('AssertionError: <uuid> missing',
                         found['evidence'])


def _finished(events, returncode=0, **kw):
    import io

    buf = io.BytesIO()
    events(protocol.Writer(buf))
    return watch.Finished(buf.getvalue(), '', returncode, **kw)


class TestPoolFold(testtools.TestCase):
    """How the pool turns a reporter's stream into a result (no nova)."""

    VARIANTS = ['real', 'm1', 'm2']

    def setUp(self):
        super(TestPoolFold, self).setUp()
        self.pool = pool.Pool(self.VARIANTS, None, use_cache=False)
        self.version = results.Version('x = 1\n')

    def _fold(self, finished, variant='real'):
        return self.pool._fold(variant, 'mod', self.version, finished)[0]

    def _variant(self, w, variant, status):
        w.variant_started(variant)
        w.test(variant, {'id': 't', 'status': status, 'traceback': 'E'})
        w.variant_done(variant, 1.0)

    def test_records_of_the_variant_asked_for(self):
        finished = _finished(lambda w: self._variant(w, 'm1', 'fail'))
        self.assertEqual('fail', self._fold(finished, 'm1').outcome)
        # Records for another variant than the run's are not its result.
        self.assertEqual('error', self._fold(finished, 'real').outcome)

    def test_an_attempt_makes_the_run_refused(self):
        def events(w):
            self._variant(w, 'real', 'pass')
            w.attempt("open('/etc/x', 'w')")
            w.attempt("open('/etc/x', 'w')")
        found = self._fold(_finished(events))
        self.assertEqual('refused', found.outcome)
        self.assertEqual(["open('/etc/x', 'w')"], found.attempts)
        self.assertIn('/etc/x', found.evidence)

    def test_the_reporters_end_overrules_and_is_never_cached(self):
        store = self.useFixture(fixtures.TempDir()).path
        self.pool.cache = cache.Cache(store)
        self.pool.write_cache = True
        self.pool.confinement = object()
        for outcome in ('refused', 'timeout', 'limit', 'error', 'pass'):
            found, complete = self.pool._fold('real', 'mod', self.version,
                                              _finished(lambda w: [
                                                  w.variant_started('real'),
                                                  w.variant_ended(
                                                      'real', outcome,
                                                      'why', 2.0)]))
            # "pass" is not an outcome a reporter may end a run with.
            self.assertEqual('error' if outcome == 'pass' else outcome,
                             found.outcome)
            self.assertFalse(complete)

    def test_sigsys_of_the_sandbox_is_refused_only_when_confined(self):
        events = (lambda w: w.variant_started('real'))
        self.assertEqual('error', self._fold(_finished(
            events, returncode=-31)).outcome)
        self.pool.confinement = object()
        found = self._fold(_finished(events, returncode=128 + 31))
        self.assertEqual('refused', found.outcome)
        self.assertIn('seccomp', found.evidence)

    def test_timeout_flood_and_limit_signals(self):
        events = (lambda w: w.variant_started('real'))
        self.assertEqual('timeout', self._fold(_finished(
            events, returncode=-9, timed_out=True)).outcome)
        self.assertEqual('limit', self._fold(_finished(
            events, returncode=-9, flooded=True)).outcome)
        self.assertEqual('limit', self._fold(_finished(
            events, returncode=-24)).outcome)

    def test_an_environment_error_is_an_error(self):
        found = self._fold(_finished(
            lambda w: w.environment(error='forged')))
        self.assertEqual('error', found.outcome)
        self.assertIn('forged', found.evidence)

    def test_unconfined_runs_are_never_complete(self):
        _result, complete = self.pool._fold(
            'real', 'mod', self.version,
            _finished(lambda w: self._variant(w, 'real', 'pass')))
        self.assertFalse(complete)
        self.pool.confinement = object()
        result, complete = self.pool._fold(
            'real', 'mod', self.version,
            _finished(lambda w: self._variant(w, 'real', 'pass')))
        self.assertEqual(('pass', True), (result.outcome, complete))

    def test_key_depends_on_environment_and_variant(self):
        key = self.pool._key('v' * 64, 'real')
        self.pool._fingerprint = json.dumps({'nova': 'other'})
        self.assertNotEqual(key, self.pool._key('v' * 64, 'real'))
        self.assertNotEqual(self.pool._key('v' * 64, 'real'),
                            self.pool._key('v' * 64, 'm1'))

    def test_skip_rule(self):
        real_pass = {'real': results.RunResult('real', 'pass')}
        self.assertIsNone(skip.skip_rest(real_pass, ['m1']))
        self.assertIsNone(skip.skip_rest({}, ['m1']))
        skipped = skip.skip_rest({'real': results.RunResult('real', 'fail')},
                                 ['real', 'm1'])
        self.assertEqual(['m1'], list(skipped))
        self.assertIn('does not pass against real nova',
                      skipped['m1'].evidence)

    def test_first_survivor_stops_the_rest_when_asked(self):
        produced = {'real': results.RunResult('real', 'pass'),
                    'm1': results.RunResult('m1', 'fail'),
                    'm2': results.RunResult('m2', 'pass')}
        self.assertIsNone(skip.skip_rest(produced, ['m3']))
        skipped = skip.skip_rest(produced, ['m3', 'm4'],
                                 stop_at_survivor=True)
        self.assertEqual(['m3', 'm4'], list(skipped))
        self.assertEqual('skipped', skipped['m3'].outcome)
        self.assertIn('mutant m2', skipped['m3'].evidence)

    def test_known_results_are_never_survivors(self):
        produced = {'real': results.RunResult('real', 'pass'),
                    'm1': results.RunResult('m1', 'fail', known=True)}
        self.assertIsNone(skip.skip_rest(produced, ['m2'],
                                         stop_at_survivor=True))

    def test_known_results_pass_through_without_running(self):
        version = results.Version('x = 1\n')
        known = {'real': results.RunResult('real', 'fail', known=True)}
        found = self.pool.run([version], variants={version.key(): [
            'real', 'm1']}, known={version.key(): known})
        self.assertIs(known['real'], found[version.key()]['real'])
        self.assertEqual('skipped', found[version.key()]['m1'].outcome)
        self.assertEqual(0, self.pool.stats['runs'])


class TestWatch(testtools.TestCase):

    def _python(self, code):
        return [sys.executable, '-c', code]

    def test_collects_output_and_stderr_tail(self):
        found = watch.run(self._python(
            'import sys; sys.stdout.write("abc"); sys.stderr.write("E" * '
            '100000)'), allowance=30)
        self.assertEqual(b'abc', found.data)
        self.assertEqual(watch.STDERR_TAIL, len(found.stderr))
        self.assertEqual(0, found.returncode)

    def test_no_progress_is_killed(self):
        found = watch.run(self._python(
            'import signal, time\n'
            'signal.pthread_sigmask(signal.SIG_BLOCK, range(1, 32))\n'
            'time.sleep(60)'), allowance=1)
        self.assertTrue(found.timed_out)
        self.assertLess(found.seconds, 30)

    def test_flood_is_cut(self):
        found = watch.run(self._python(
            'import os\nwhile True: os.write(1, b"x" * 65536)'),
            allowance=30, max_bytes=1024 ** 2)
        self.assertTrue(found.flooded)
        self.assertLessEqual(len(found.data), 1024 ** 2)

    def test_children_die_with_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            marker = os.path.join(tmp, 'late')
            found = watch.run(self._python(
                'import subprocess, sys, time\n'
                'subprocess.Popen([sys.executable, "-c", "import time; '
                'time.sleep(3); open(%r, \'w\')"])\n'
                'time.sleep(60)' % marker), allowance=1)
            self.assertTrue(found.timed_out)
            subprocess.run(['sleep', '4'])
            self.assertFalse(os.path.exists(marker))


class TestConfinementCommand(testtools.TestCase):

    def test_links_are_recreated_and_the_target_bound(self):
        tmp = os.path.realpath(self.useFixture(fixtures.TempDir()).path)
        os.makedirs(os.path.join(tmp, 'real', 'lib'))
        with open(os.path.join(tmp, 'real', 'lib', 'libx.so.1.2'), 'w'):
            pass
        os.symlink('real', os.path.join(tmp, 'dir'))
        os.symlink('libx.so.1.2', os.path.join(tmp, 'real', 'lib',
                                               'libx.so.1'))
        links, target = filesystem._links_and_target(
            os.path.join(tmp, 'dir', 'lib', 'libx.so.1'))
        self.assertEqual(os.path.join(tmp, 'real', 'lib', 'libx.so.1.2'),
                         target)
        self.assertEqual([(os.path.join(tmp, 'dir'), 'real'),
                          (os.path.join(tmp, 'real', 'lib', 'libx.so.1'),
                           'libx.so.1.2')], links)

    def test_environment_keeps_only_what_a_run_needs(self):
        found = confinement.environment('/run-dir', {
            'SECRET_TOKEN': 's', 'OS_NOVA_DISABLE_EVENTLET_PATCHING': 'True',
            'PATH': '/evil', 'LANG': 'C.UTF-8'})
        self.assertNotIn('SECRET_TOKEN', found)
        self.assertEqual('True', found['OS_NOVA_DISABLE_EVENTLET_PATCHING'])
        self.assertEqual('/run-dir/home', found['HOME'])
        self.assertNotEqual('/evil', found['PATH'])
        # The package the tool runs, not what the venv's editable install
        # points at (a baseline worktree on PYTHONPATH, say).
        here = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.realpath(confinement.__file__))))
        self.assertEqual(here, found['PYTHONPATH'])

    def test_command_is_an_allow_list(self):
        try:
            conf = confinement.Confinement(hide=['/var/cache'])
        except confinement.Unavailable as exc:
            self.fail('confinement must be available here: %s' % exc)
        self.addCleanup(conf.close)
        cmd = conf.command(['python', '-c', 'pass'],
                           read_only=[('/host/case', '/tmp/case')])
        text = ' '.join(cmd)
        for flag in ('--unshare-pid', '--unshare-net', '--die-with-parent',
                     '--new-session', '--clearenv'):
            self.assertIn(flag, cmd)
        binds = [cmd[i + 1] for i, arg in enumerate(cmd)
                 if arg in ('--ro-bind', '--bind', '--dev-bind')]
        # Nothing of the host's tree as a whole, no directory where
        # sockets, secrets or the checkout live.
        for path in binds:
            self.assertNotIn(path, ('/', '/etc', '/usr', '/var', '/srv',
                                    '/opt', '/run', '/tmp', '/home',
                                    '/root', '/dev', os.getcwd()))
            self.assertFalse(path.startswith(('/var/', '/srv/', '/opt/',
                                              '/run/', '/etc/')) and
                             path != '/etc/ld.so.cache', path)
        self.assertNotIn('--bind', cmd)
        here = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.realpath(confinement.__file__))))
        self.assertNotIn(here, binds)
        self.assertIn(os.path.join(here, 'nova_resize_checks'), binds)
        if sys.prefix != sys.base_prefix:
            # Of the virtualenv, only what Python needs to run in it: not
            # tox's log/ (every variable it passed on) or tmp/.
            prefix = os.path.realpath(sys.prefix)
            self.assertNotIn(prefix, binds)
            self.assertIn(os.path.join(prefix, 'pyvenv.cfg'), binds)
            for hidden in ('log', 'tmp'):
                self.assertFalse(any(
                    b == os.path.join(prefix, hidden) or b.startswith(
                        os.path.join(prefix, hidden) + os.sep)
                    for b in binds), hidden)
        self.assertIn('--tmpfs /tmp', text)
        # The private /tmp is mounted before every bind: a virtualenv that
        # lives under the host's /tmp is bound on top of it, not hidden.
        self.assertLess(cmd.index('/tmp'), cmd.index('--ro-bind'))
        self.assertIn('--ro-bind /host/case /tmp/case', text)
        self.assertIn('/dev/null', binds)
        self.assertIn(os.path.realpath(sys.executable), binds)
        self.assertEqual(['/dev/null', '/dev/urandom', '/dev/zero'],
                         sorted(p for p in binds if p.startswith('/dev/')))
        self.assertEqual(['python', '-c', 'pass'], cmd[-3:])


class TestRealFailureOutsideTheTest(testtools.TestCase):
    """Real nova failing outside the version's code is run once more."""

    def _run(self, first, second):
        p = pool.Pool(['real'], None, use_cache=False)
        p.skip_mutants = False
        outcomes = [first, second]
        calls = []

        def run_variant(key, version, files, overlay, job):
            calls.append(job['variant'])
            return outcomes[len(calls) - 1]
        p._run_variant = run_variant
        got = p._run_one('k' * 64, results.Version('x = 1\n'), ['real'])
        return got['real'], calls

    def test_a_failure_in_nova_machinery_is_run_again(self):
        first = results.RunResult('real', 'fail', evidence='AssertionError')
        result, calls = self._run(first, results.RunResult('real', 'pass'))
        self.assertEqual(['real', 'real'], calls)
        self.assertEqual('pass', result.outcome)

    def test_failing_twice_says_so(self):
        first = results.RunResult('real', 'fail', evidence='AssertionError')
        second = results.RunResult('real', 'fail', evidence='AssertionError')
        result, calls = self._run(first, second)
        self.assertEqual('fail', result.outcome)
        self.assertIn('ran twice', result.evidence)

    def test_a_failure_in_the_versions_code_is_not_run_again(self):
        first = results.RunResult('real', 'fail', evidence='x != y',
                                  failing_line=94)
        result, calls = self._run(first, None)
        self.assertEqual(['real'], calls)
        self.assertEqual(94, result.failing_line)

    def test_failed_outside_is_a_failure_with_no_line_of_the_test(self):
        self.assertTrue(results.RunResult('real', 'fail').failed_outside)
        self.assertFalse(results.RunResult(
            'real', 'fail', failing_line=60).failed_outside)
        self.assertFalse(results.RunResult('real', 'error').failed_outside)
        self.assertFalse(results.RunResult(
            'real', 'fail', known=True).failed_outside)
