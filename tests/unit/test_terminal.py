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

"""The tool at the terminal: Ctrl-C, shared runs, progress, early errors."""

import io
import os
import threading
import time

import fixtures
import testtools

from nova_resize_checks import children
from nova_resize_checks import cli
from nova_resize_checks.cli import base
from nova_resize_checks.cli import progress as progress_mod
from nova_resize_checks.review import model
from nova_resize_checks.review import pipeline
from nova_resize_checks.review import prepare
from nova_resize_checks.runs import cache as cache_mod
from nova_resize_checks.runs import pool as pool_mod
from nova_resize_checks.runs import results
from nova_resize_checks.runs import watch


class _Reset(fixtures.Fixture):
    def _setUp(self):
        children.reset()
        self.addCleanup(children.reset)


def _fake_python(directory, body='exec sleep 60'):
    """An 'interpreter' for Pool(python=...) that runs ``body``."""
    path = os.path.join(directory, 'python')
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n%s\n' % body)
    os.chmod(path, 0o755)
    return path


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class TestCancel(testtools.TestCase):

    def setUp(self):
        super(TestCancel, self).setUp()
        self.useFixture(_Reset())
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_cancel_kills_a_watched_run_at_once(self):
        found = []

        def run():
            try:
                watch.run([_fake_python(self.tmp)], allowance=60)
            except children.Interrupted:
                found.append('interrupted')
        worker = threading.Thread(target=run)
        worker.start()
        while not children.live():
            time.sleep(0.05)
        start = time.monotonic()
        children.cancel()
        worker.join(5)
        self.assertLess(time.monotonic() - start, 2)
        self.assertEqual(['interrupted'], found)
        self.assertEqual(0, children.live())
        # Nothing starts after a cancel.
        self.assertRaises(children.Interrupted, watch.run, ['true'], 60)

    def test_an_interrupted_pool_caches_nothing_and_stops_its_queue(self):
        cache_dir = os.path.join(self.tmp, 'cache')
        pool = pool_mod.Pool(['real'], None, jobs=1, timeout=60,
                             cache_dir=cache_dir,
                             python=_fake_python(self.tmp))
        versions = [results.Version('# v%d\n' % i) for i in range(4)]
        errors = []

        def run():
            try:
                pool.run(versions)
            except children.Interrupted as exc:
                errors.append(exc)
        worker = threading.Thread(target=run)
        worker.start()
        while not children.live():
            time.sleep(0.05)
        start = time.monotonic()
        children.cancel()
        worker.join(5)
        self.assertLess(time.monotonic() - start, 2)
        self.assertEqual(1, len(errors))
        self.assertEqual(0, pool.stats['workers'])
        entries = [name for _root, _dirs, names in os.walk(cache_dir)
                   for name in names if name.endswith('.json')]
        self.assertEqual([], entries)


class TestSharedRuns(testtools.TestCase):

    def setUp(self):
        super(TestSharedRuns, self).setUp()
        self.useFixture(_Reset())
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_lock_waits_for_its_holder(self):
        cache = cache_mod.Cache(self.tmp)
        held = cache.lock('k' * 64)
        self.assertFalse(held.waited)
        got = []
        worker = threading.Thread(target=lambda: got.append(
            cache.lock('k' * 64)))
        worker.start()
        time.sleep(0.5)
        self.assertEqual([], got)
        held.release()
        worker.join(5)
        self.assertTrue(got[0].waited)
        got[0].release()

    def test_a_wait_ends_on_interrupt(self):
        cache = cache_mod.Cache(self.tmp)
        held = cache.lock('k' * 64)
        self.addCleanup(held.release)
        self.assertRaises(children.Interrupted, cache.lock, 'k' * 64,
                          lambda: True)

    def test_a_unit_another_invocation_ran_is_taken_from_the_cache(self):
        # The worker would fail: if it ran, the result would be an error.
        python = _fake_python(self.tmp, 'exit 3')
        cache_dir = os.path.join(self.tmp, 'cache')
        pool = pool_mod.Pool(['real'], object(), jobs=1, timeout=60,
                             cache_dir=cache_dir, python=python)
        version = results.Version('# shared\n')
        # The other invocation holds the unit's lock ...
        other = pool.cache.lock(pool._key(version.key(), 'lock'))
        got = []
        worker = threading.Thread(target=lambda: got.append(
            pool.run([version])))
        worker.start()
        time.sleep(0.5)
        self.assertEqual([], got)
        # ... and stores its result before it lets go.
        pool.cache.put(pool._key(version.key(), 'real'),
                       results.RunResult('real', 'pass', 2.0))
        other.release()
        worker.join(10)
        result = got[0][version.key()]['real']
        self.assertEqual('pass', result.outcome)
        self.assertTrue(result.cached)
        self.assertEqual(0, pool.stats['workers'])
        self.assertIn(version.key(), pool.times)


class TestProgress(testtools.TestCase):

    def test_counts_what_really_runs_and_estimates_from_run_times(self):
        out = io.StringIO()
        progress = progress_mod.Progress(out, jobs=2, interval=3600,
                                         every=2)
        self.addCleanup(progress.close)
        progress('plan', total=10, cached=1)
        self.assertIsNone(progress.eta())
        progress('done', version='v', variant='real', outcome='pass',
                 seconds=4.0)
        progress('skipped', count=5)
        self.assertEqual(5, progress.total)
        # 4 left at 4 s each over 2 jobs.
        self.assertAlmostEqual(8.0, progress.eta(), delta=0.5)
        self.assertIn('1/5 run(s), 1 from cache', progress.line())
        self.assertRegex(progress.line(), 'ETA [78]s')
        self.assertEqual('', out.getvalue())
        progress('done', version='v', variant='m', outcome='fail',
                 seconds=4.0)
        # Off a terminal: a line every `every` runs.
        self.assertEqual(1, len(out.getvalue().splitlines()))
        self.assertNotIn('\r', out.getvalue())

    def test_off_a_terminal_a_line_every_interval(self):
        out = io.StringIO()
        progress = progress_mod.Progress(out, interval=0.3, every=1000)
        progress('plan', total=3, cached=0)
        time.sleep(1.2)
        progress.close()
        self.assertGreaterEqual(len(out.getvalue().splitlines()), 2)
        self.assertIn('0/3 run(s)', out.getvalue())


class _Tty(io.StringIO):
    def isatty(self):
        return True


class TestWidth(testtools.TestCase):

    def test_piped_text_is_not_wrapped(self):
        self.useFixture(fixtures.EnvironmentVariable('COLUMNS'))
        out = io.StringIO()
        base.write_lines(out, ['x ' * 200])
        self.assertEqual(1, len(out.getvalue().splitlines()))

    def test_columns_is_respected(self):
        self.useFixture(fixtures.EnvironmentVariable('COLUMNS', '40'))
        out = io.StringIO()
        base.write_lines(out, ['  ' + 'word ' * 30])
        lines = out.getvalue().splitlines()
        self.assertGreater(len(lines), 3)
        self.assertTrue(all(len(line) <= 40 for line in lines))
        self.assertTrue(lines[1].startswith('      word'))


class CliCase(testtools.TestCase):

    def setUp(self):
        super(CliCase, self).setUp()
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', self.stdout))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))
        self.root = self.useFixture(fixtures.TempDir()).path
        self.calls = []
        self.useFixture(fixtures.MonkeyPatch(
            'nova_resize_checks.review.pipeline.check', self._check))

    def _check(self, reviews, options):
        self.calls.append([r.data for r in reviews])
        return [model.ReviewReport(path=r.shown, reason='nothing')
                for r in reviews], {'runs': {}, 'timing': []}

    def _file(self, name, data=b'Looks fine.\n'):
        path = os.path.join(self.root, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path


class TestReviewArguments(CliCase):

    def test_a_missing_path_next_to_a_good_one_runs_nothing(self):
        code = cli.main(['review', self._file('good.md'),
                         os.path.join(self.root, 'gone.md')])
        self.assertEqual(2, code)
        self.assertIn('gone.md: no such file or directory',
                      self.stderr.getvalue())
        self.assertEqual([], self.calls)

    def test_binary_review_is_an_error_not_no_fix(self):
        code = cli.main(['review', self._file('x.md',
                                              bytes(range(256)) * 64)])
        self.assertEqual(2, code)
        self.assertIn('does not look like text', self.stderr.getvalue())
        self.assertEqual([], self.calls)

    def test_bad_numbers_before_anything_runs(self):
        good = self._file('good.md')
        self.assertEqual(2, cli.main(['review', '--jobs', '0', good]))
        self.assertEqual(2, cli.main(['review', '--timeout', '-1', good]))
        self.assertEqual(2, cli.main(['review', '--timeout', '0.5', good]))
        self.assertIn('--timeout must be at least 1', self.stderr.getvalue())
        self.assertEqual([], self.calls)

    def test_dev_null_is_an_empty_review(self):
        self.assertEqual(0, cli.main(['review', '-q', os.devnull]))
        self.assertEqual([[b'']], self.calls)
        self.assertNotIn('no such file', self.stderr.getvalue())

    def test_dash_reads_standard_input(self):
        stdin = io.TextIOWrapper(io.BytesIO(b'Rename `a` to `b`.\n'))
        self.useFixture(fixtures.MonkeyPatch('sys.stdin', stdin))
        self.assertEqual(0, cli.main(['review', '-q', '-']))
        self.assertEqual([[b'Rename `a` to `b`.\n']], self.calls)
        self.assertIn('<stdin>', self.stdout.getvalue())

    def test_skipped_directory_entries_are_said(self):
        self._file('a.md')
        os.mkfifo(os.path.join(self.root, 'pipe.md'))
        self.assertEqual(0, cli.main(['review', '-q', self.root]))
        self.assertIn('pipe.md: not a regular file',
                      self.stderr.getvalue())
        self.assertIn('not read: %s' % os.path.join(self.root, 'pipe.md'),
                      self.stdout.getvalue())

    def test_canonical_too_slow_is_an_environment_error(self):
        slow = {'real': results.RunResult('real', 'pass', 3.0)}
        problem = pipeline._timeout_problem(slow, 1.0)
        self.assertIn('more than --timeout 1s', problem)
        self.assertIsNone(pipeline._timeout_problem(slow, 30.0))
        self.assertTrue(issubclass(pipeline.CanonicalTooSlow,
                                   pipeline.env.EnvironmentProblem))


class TestHelp(CliCase):

    def test_version(self):
        self.assertRaises(SystemExit, cli.main, ['--version'])
        self.assertIn('nova-resize-checks ', self.stdout.getvalue())

    def test_every_command_has_a_description_and_the_exit_codes(self):
        parser = cli.build_parser()
        sub = parser._subparsers._group_actions[0]
        self.assertEqual({'reproduce', 'review', 'mutants', 'backport'},
                         set(sub.choices))
        for name, command in sub.choices.items():
            self.assertGreater(len(command.description or ''), 40, name)
            self.assertIn(base.EXIT_CODES_TITLE, command.format_help())
        text = parser.format_help()
        for code, _meaning in base.EXIT_CODES:
            self.assertIn('  %-3d  ' % code, text)

    def test_the_readme_table_is_the_code_table(self):
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, '..', '..', 'README.rst')) as f:
            readme = f.read()
        flat = ' '.join(readme.split())
        for code, meaning in base.EXIT_CODES:
            needle = ' '.join(meaning.split()[:4])
            self.assertGreaterEqual(flat.find(needle), 0,
                                    '%d: %s' % (code, needle))


class TestPreparedFromBytes(testtools.TestCase):

    def test_a_review_read_once_is_prepared_from_its_bytes(self):
        from nova_resize_checks.report import document

        store = cache_mod.JsonStore(self.useFixture(
            fixtures.TempDir()).path, document.PREPARED_FORMAT)
        context = prepare.Context()
        data = b'Please rename `no_usage` to `empty_usage`.\n'
        cold = prepare.prepare_cached('<stdin>', context, store, data)
        warm = prepare.prepare_cached('<stdin>', context, store, data)
        for report in (cold, warm):
            self.assertEqual('<stdin>', report.path)
            self.assertEqual([], [f.message for f in report.findings
                                  if f.kind == model.INPUT_ERROR])
            self.assertEqual(['rename'],
                             [c.change.kind for c in report.changes])


class TestUnreadableSamples(CliCase):

    def test_each_sample_is_an_error_before_any_run(self):
        import glob
        import json

        here = os.path.dirname(os.path.abspath(__file__))
        folder = os.path.join(here, '..', 'samples', 'unreadable')
        samples = sorted(p for p in glob.glob(os.path.join(folder, '*'))
                         if not p.endswith(('.expect.json', 'README.rst')))
        self.assertNotEqual([], samples)
        for path in samples:
            with open(path.rsplit('.', 1)[0] + '.expect.json') as f:
                expect = json.load(f)
            self.assertEqual(expect['exit_code'],
                             cli.main(['review', '-q', path]), path)
            self.assertIn(expect['error'], self.stderr.getvalue())
        self.assertEqual([], self.calls)
        self.assertEqual('', self.stdout.getvalue())
