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


"""The rules of the third round: the text that runs, strict framing, the
kernel's word, budgets, seccomp additions, descriptors, mutants that do
not show."""

import inspect
import io
import json
import os
import signal
import subprocess
import sys
import textwrap

import fixtures
import testtools

from nova_resize_checks.review import gate
from nova_resize_checks.review import model
from nova_resize_checks.review import pipeline
from nova_resize_checks.review import prepare
from nova_resize_checks.runs import budget as runs_budget
from nova_resize_checks.runs import confinement
from nova_resize_checks.runs import guard
from nova_resize_checks.runs import pool
from nova_resize_checks.runs import protocol
from nova_resize_checks.runs import results
from nova_resize_checks.runs import skip
from nova_resize_checks.runs import worker

COOKIE = ('# coding: raw_unicode_escape\n'
          'x = 1  # \\u000ay = 2\n')


class TestSourceText(testtools.TestCase):

    def test_coding_declaration_is_decoded_and_removed(self):
        text = results.source_text(COOKIE)
        self.assertEqual([results.CODING_REMOVED, 'x = 1  # ', 'y = 2', ''],
                         text.split('\n'))
        # The decoded text holds the statement a file import would run.
        self.assertIn('y', gate.ast.dump(gate.ast.parse(text)))

    def test_bom_crlf_and_idempotence(self):
        text = results.source_text('\ufeffx = 1\r\ny = 2\r')
        self.assertEqual('x = 1\ny = 2\n', text)
        self.assertEqual(text, results.source_text(text))
        self.assertEqual(results.source_text(COOKIE), results.source_text(
            results.source_text(COOKIE)))

    def test_an_unknown_encoding_leaves_the_text_but_not_the_cookie(self):
        text = results.source_text('# coding: no-such-codec\nx = 1\n')
        self.assertEqual(results.CODING_REMOVED + '\nx = 1\n', text)

    def test_a_cookie_on_line_three_is_no_cookie(self):
        code = 'a = 1\nb = 2\n# coding: latin-1\n'
        self.assertEqual(code, results.source_text(code))

    def test_runnable_refuses_text_that_is_not_what_runs(self):
        self.assertIsNone(results.Version('x = 1\n').runnable())
        self.assertIn('coding', results.Version(COOKIE).runnable())
        self.assertIn('not valid text',
                      results.Version('x = "\ud800"\n').runnable())

    def test_versions_are_made_of_the_decoded_text(self):
        version = prepare._make_version(COOKIE, (), 'label')
        self.assertIn('\ny = 2', version.test_source)
        self.assertIsNone(version.runnable())
        # A version is its bytes: the hidden statement is in the key.
        self.assertNotEqual(version.key(), prepare._make_version(
            'x = 1  # \n', (), 'label').key())

    def test_the_gate_sees_code_hidden_behind_a_declaration(self):
        code = ('# coding: raw_unicode_escape\n'
                'def test(self):\n'
                '    pass  # \\u000a    import socket\n')
        version = prepare._make_version(code, (), 'label')
        found = prepare._unsafe(version)
        self.assertTrue(found)
        self.assertIn('socket', found[0].message)


class TestTextLoader(testtools.TestCase):

    def test_a_module_is_compiled_from_its_utf8_text(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'nrc_text_loader_mod.py')
        with open(path, 'wb') as f:
            f.write(COOKIE.encode('utf-8'))
        finder = worker._TextFinder({'nrc_text_loader_mod': path})
        # Closed until the run is confined: the module is not served, and
        # the finder notes that it was asked for.
        self.assertIsNone(finder.find_spec('nrc_text_loader_mod'))
        self.assertEqual(['nrc_text_loader_mod'], finder.declined)
        finder.open = True
        spec = finder.find_spec('nrc_text_loader_mod')
        module = spec.loader.load_module('nrc_text_loader_mod')
        self.addCleanup(sys.modules.pop, 'nrc_text_loader_mod', None)
        self.assertEqual(1, module.x)
        # The declaration did not turn the comment into code.
        self.assertFalse(hasattr(module, 'y'))
        self.assertIsNone(finder.find_spec('other'))


class TestChildFraming(testtools.TestCase):

    def _stream(self, *events):
        buf = io.BytesIO()
        writer = protocol.Writer(buf)
        for event in events:
            event(writer)
        return buf.getvalue()

    def _clean(self, *middle):
        return [lambda w: w.environment(versions={}),
                lambda w: w.started()] + list(middle) + [lambda w: w.end()]

    def _record(self, status='pass', name='t'):
        return lambda w: w.test(worker.RUN_ID, {'id': name,
                                                'status': status,
                                                'traceback': ''})

    def test_clean(self):
        found = protocol.read_child(self._stream(*self._clean(
            self._record())))
        self.assertIsNone(found.problem)
        self.assertEqual(['pass'], [r['status'] for r in found.records])

    def test_every_unclean_frame_is_a_problem(self):
        clean = self._stream(*self._clean(self._record()))
        for data in (clean[:-4], b'noise' + clean, clean + b'noise',
                     clean + self._stream(self._record('fail')),
                     self._stream(*self._clean(self._record(),
                                               self._record('fail'))),
                     self._stream(lambda w: w.started(), self._record(),
                                  lambda w: w.end()),
                     clean[:20] + bytes([0xb3, 0x29, 0x01, 0x7f, 0xff,
                                         0xff, 0xff]) + clean[20:]):
            self.assertIsNotNone(protocol.read_child(data).problem, data)

    def test_a_refusal_counts_even_after_the_end(self):
        data = self._stream(*self._clean(self._record())) + self._stream(
            lambda w: w.attempt('socket.__new__()'))
        found = protocol.read_child(data)
        self.assertEqual(['socket.__new__()'], found.attempts)


class TestKernelWord(testtools.TestCase):

    def test_signals_and_status_overrule_the_stream(self):
        word = worker._kernel_word
        self.assertEqual('refused', word(-signal.SIGSYS, False, False,
                                         1)[0])
        self.assertEqual('limit', word(-signal.SIGKILL, False, False, 1)[0])
        self.assertEqual('limit', word(-signal.SIGXCPU, False, False, 1)[0])
        self.assertEqual('error', word(-signal.SIGSEGV, False, False, 1)[0])
        self.assertEqual('error', word(1, False, False, 1)[0])
        self.assertEqual('timeout', word(0, True, False, 1)[0])
        self.assertEqual('limit', word(0, False, True, 1)[0])
        self.assertIsNone(word(0, False, False, 1))


class TestVariantDelivery(testtools.TestCase):
    """The variant reaches the test process on a pipe of its own."""

    def _pipe(self, data):
        read, write = os.pipe()
        os.write(write, data)
        os.close(write)
        return read

    def test_the_name_is_read_once_and_the_pipe_closed(self):
        fd = self._pipe(b'"orphan-on-source"')
        self.assertEqual('orphan-on-source', worker._read_variant(fd))
        self.assertRaises(OSError, os.fstat, fd)

    def test_a_pipe_read_before_us_gives_no_variant(self):
        # Code of the version that reads the pipe first leaves nothing:
        # the run is an error, never a run of real nova.
        for data in (b'', b'"', b'""', b'7', b'["real"]'):
            self.assertIsNone(worker._read_variant(self._pipe(data)), data)

    def test_the_test_process_needs_its_descriptor(self):
        self.assertEqual(2, worker.main(['--test']))
        self.assertEqual(2, worker.main(['--test', 'x']))

    def test_the_job_on_stdin_carries_no_variant(self):
        source = inspect.getsource(worker.reporter_main)
        self.assertNotIn("child_job['variant']", source)
        self.assertIn('pass_fds=(variant_read,)',
                      inspect.getsource(worker._start_test_process))


class TestBudget(testtools.TestCase):

    def test_owner_and_total_budgets(self):
        budget = runs_budget.Budget({'v1': ['a'], 'v2': ['a', 'b']},
                                    owner_runs=2, total_runs=5)
        # A run counts from its start, before it has finished.
        self.assertIsNone(budget.refuse('v1'))
        self.assertIsNone(budget.refuse('v2'))
        # a has started its two runs; v2 still has b's budget.
        self.assertIn('review', budget.refuse('v1'))
        self.assertIsNone(budget.refuse('v2'))
        self.assertIn('2 runs', budget.refuse('v2'))
        self.assertIsNone(budget.refuse('other'))
        self.assertIsNone(budget.refuse('other'))
        self.assertIn('invocation', budget.refuse('unowned'))

    def test_seconds(self):
        budget = runs_budget.Budget({'v': ['a']}, owner_seconds=10)
        self.assertIsNone(budget.refuse('v'))
        budget.charge('v', 11.0)
        self.assertIn('10s', budget.refuse('v'))

    def test_budgets_from_the_environment(self):
        self.assertEqual({'review_runs': 3, 'total_seconds': 60.0},
                         pipeline.budget_from_environment({
                             pipeline.BUDGET_ENV:
                                 'review_runs=3, total_seconds=60'}))
        self.assertEqual({}, pipeline.budget_from_environment({}))
        self.assertRaises(ValueError, pipeline.budget_from_environment,
                          {pipeline.BUDGET_ENV: 'runs=3'})

    def test_a_run_over_budget_is_not_started(self):
        p = pool.Pool(['real', 'm1'], None, use_cache=False,
                      budget=runs_budget.Budget(total_runs=0))
        version = results.Version('x = 1\n')
        found = p.run([version])[version.key()]
        self.assertEqual(['skipped', 'skipped'],
                         [found[v].outcome for v in ('real', 'm1')])
        self.assertTrue(found['real'].over_budget)
        self.assertEqual(0, p.stats['workers'])


class TestSkipRule(testtools.TestCase):

    def test_a_timeout_is_a_survivor(self):
        produced = {'real': results.RunResult('real', 'pass'),
                    'm1': results.RunResult('m1', 'timeout')}
        skipped = skip.skip_rest(produced, ['m2'], True)
        self.assertEqual('skipped', skipped['m2'].outcome)
        self.assertIn('m1', skipped['m2'].evidence)

    def test_the_sham_is_never_a_survivor(self):
        produced = {'real': results.RunResult('real', 'pass'),
                    'sham': results.RunResult('sham', 'pass')}
        self.assertIsNone(skip.skip_rest(produced, ['m2'], True))


def _run_filtered(code):
    """Exit status of a child that loads the filter, then runs code."""
    script = ('from nova_resize_checks.runs import guard\n'
              'guard.load_filter()\n' + textwrap.dedent(code))
    return subprocess.run([sys.executable, '-c', script],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=60).returncode


class TestSeccompAdditions(testtools.TestCase):

    def test_rules_are_in_the_filter(self):
        for name in ('memfd_create', 'memfd_secret', 'sendmsg', 'sendmmsg',
                     'connect', 'bind', 'listen'):
            self.assertIn(name, guard._KILLED)

    def test_memfd_is_killed(self):
        self.assertEqual(-signal.SIGSYS, _run_filtered(
            'import os\nos.memfd_create("x")\n'))

    def test_an_addressed_datagram_is_killed_a_plain_send_is_not(self):
        self.assertEqual(0, _run_filtered(
            'import socket\n'
            'a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n'
            'a.send(b"x")\n'
            'assert b.recv(1) == b"x"\n'))
        self.assertEqual(-signal.SIGSYS, _run_filtered(
            'import socket\n'
            'a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n'
            'a.sendto(b"x", "/nonexistent/socket")\n'))
        self.assertEqual(-signal.SIGSYS, _run_filtered(
            'import socket\n'
            'a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n'
            'a.connect("/nonexistent/socket")\n'))


class TestInheritedDescriptors(testtools.TestCase):

    def test_every_descriptor_but_the_three_is_closed(self):
        read, write = os.pipe()
        self.addCleanup(os.close, read)
        self.addCleanup(os.close, write)
        code = ('import os\n'
                'from nova_resize_checks.runs import worker\n'
                'worker._close_inherited()\n'
                'print(sorted(int(f) for f in os.listdir("/proc/self/fd")))'
                '\n')
        out = subprocess.run([sys.executable, '-c', code],
                             pass_fds=(read, write), stdout=subprocess.PIPE,
                             timeout=60).stdout.decode()
        # listdir's own descriptor is the only one above 2.
        self.assertEqual(3, len(eval(out)) - 1)


class TestUnwrappedMutants(testtools.TestCase):

    def test_mutants_and_sham_look_alike_and_like_nova(self):
        from nova.compute import manager

        from nova_resize_checks import mutants

        cls = manager.ComputeManager
        original = cls.__dict__['_delete_allocation_after_move']
        seen = []
        for name in (mutants.SHAM, 'orphan-on-source', 'bug-1825537'):
            restore = mutants.apply(name)
            try:
                method = cls.__dict__['_delete_allocation_after_move']
                self.assertFalse(hasattr(method, '__wrapped__'))
                self.assertEqual('nova.compute.manager', method.__module__)
                self.assertEqual(original.__qualname__, method.__qualname__)
                self.assertEqual(original.__code__.co_filename,
                                 method.__code__.co_filename)
                names = [c.cell_contents.__name__
                         for c in method.__closure__
                         if callable(c.cell_contents)]
                self.assertEqual({original.__name__}, set(names))
                # What it calls runs as nova's module too: no frame a
                # mutant makes names this package's file or module.
                globs = method.__globals__
                self.assertEqual('nova.compute.manager', globs['__name__'])
                for value in globs.values():
                    if getattr(value, '__module__', None) == \
                            'nova.compute.manager' and hasattr(
                                value, '__code__'):
                        self.assertEqual(original.__code__.co_filename,
                                         value.__code__.co_filename)
                seen.append(method.__code__.co_code)
            finally:
                restore()
        # One replacement for all: nothing in it says which variant.
        self.assertEqual(1, len(set(seen)))
        self.assertIs(original, cls.__dict__['_delete_allocation_after_move'])


class TestGateBypassesOfRound3(testtools.TestCase):

    def _unsafe(self, code):
        return [f for f in gate.check(textwrap.dedent(code), 'p')
                if f.kind == model.UNSAFE_CODE]

    def test_originals_raw_files_and_member_tables(self):
        for code in (
                "from unittest import mock\n"
                "import os\n"
                "mock.patch.object(os, 'system').start().temp_original\n",
                "f = open(__file__, 'rb')\n"
                "type(f.raw)('/etc/x', 'w')\n",
                "import inspect\n"
                "inspect.getmembers(object)[0][1]\n",
                "import gc\n"
                "gc.get_objects()\n"):
            self.assertTrue(self._unsafe(code), code)


class _Recording(pool.Pool):
    """A pool that records what each run would see instead of running."""

    def _run_sandbox(self, key, version, case, scratch, job):
        stats = {name: os.stat(os.path.join(case, name))
                 for name in os.listdir(case)}
        self.seen.append((case, job, stats))
        return results.RunResult(job['variant'], 'fail', failing_line=1,
                                 allocation_assertion=True)


class TestEveryRunStartsAlike(testtools.TestCase):

    def test_fresh_undated_files_and_no_variant_but_in_the_job(self):
        p = _Recording(['real', 'bug-1825537', 'orphan-on-source'], None,
                       use_cache=False, skip_mutants=False)
        p.seen = []
        version = results.Version('x = 1\n', (('nova/a.py', 'y = 2\n'),))
        p.run([version])
        self.assertEqual(3, len(p.seen))
        cases = {case for case, _job, _stats in p.seen}
        # A directory of its own for every run, its files dated 0.
        self.assertEqual(3, len(cases))
        for _case, job, stats in p.seen:
            self.assertEqual({0}, {int(s.st_mtime) for s in stats.values()})
            self.assertEqual(['nova.a'], [m for m, _f in job['overlay']])
        jobs = [dict(job) for _c, job, _s in p.seen]
        for job in jobs:
            job.pop('variant')
            job.pop('file')
            job.pop('overlay')
        # Apart from the variant (and its own paths) every job is the same.
        self.assertEqual(1, len({json.dumps(j, sort_keys=True)
                                 for j in jobs}))


class TestRound4(testtools.TestCase):
    """The fourth round of attacks, written from outside (issue 19)."""

    def test_proc_paths_out_of_the_run_are_other_processes(self):
        for path in ('/proc/1/environ', '/proc/self/../1/environ',
                     '/proc/thread-self/../../proc/1/cmdline',
                     '/proc/self/root/etc/shadow', '/proc/self/cwd/x',
                     '/proc/self/fd/3', '/proc/self/task/1/environ',
                     '/proc//1/environ'):
            self.assertTrue(guard._other_process(path), path)
        for path in ('/proc/self/status', '/proc/self/environ',
                     '/proc/thread-self/stat', '/tmp/proc/1', 'proc/1',
                     '/etc/hosts'):
            self.assertFalse(guard._other_process(path), path)

    def test_bwrap_is_started_without_the_tool_environment(self):
        # bwrap's pid 1 inside shows the environment bwrap was given in
        # /proc/1/environ, whatever --clearenv does for the run.
        seen = {}

        def fake_run(cmd, allowance, deadline=None, env=None, **kwargs):
            seen['env'] = env
            raise RuntimeError('stop here')

        class Confined(object):
            def new_cgroup(self):
                return None

            def command(self, argv, **kwargs):
                return ['bwrap', '--'] + list(argv)

            def pass_fds(self):
                return ()

        self.useFixture(fixtures.EnvironmentVariable('NRC_CANARY', 'x'))
        self.patch(pool.watch, 'run', fake_run)
        p = pool.Pool(['real'], Confined(), use_cache=False)
        version = results.Version('x = 1\n', ())
        self.assertRaises(RuntimeError, p.run, [version])
        self.assertEqual(dict(confinement.LAUNCHER_ENV), seen['env'])
