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


"""The runner's pure parts: keys, cache, work queue, result folding."""

import json
import os

import fixtures
import testtools

from nova_resize_checks import runner

SOURCE = '''
class T(object):
    def test_a(self):
        # a comment
        self.assertEqual(1, 1)
'''


class TestVersionKey(testtools.TestCase):

    def test_comments_and_spacing_do_not_matter(self):
        other = SOURCE.replace('# a comment', '# another comment').replace(
            'assertEqual(1, 1)', 'assertEqual(1,  1)')
        self.assertEqual(runner.Version(SOURCE).key(),
                         runner.Version(other).key())

    def test_code_matters(self):
        other = SOURCE.replace('assertEqual(1, 1)', 'assertEqual(1, 2)')
        self.assertNotEqual(runner.Version(SOURCE).key(),
                            runner.Version(other).key())

    def test_overlay_matters(self):
        self.assertNotEqual(
            runner.Version(SOURCE).key(),
            runner.Version(SOURCE, (('nova/a.py', 'x = 1\n'),)).key())

    def test_label_does_not_matter(self):
        self.assertEqual(runner.Version(SOURCE, label='a').key(),
                         runner.Version(SOURCE, label='b').key())


class TestCache(testtools.TestCase):

    def setUp(self):
        super(TestCache, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.cache = runner.Cache(self.dir)

    def test_round_trip(self):
        result = runner.RunResult('real', 'fail', 3.5, 'boom', 'id', 7,
                                  'code', True)
        self.cache.put('ab' * 32, result)
        got = self.cache.get('ab' * 32)
        self.assertTrue(got.cached)
        got.cached = False
        self.assertEqual(result, got)

    def test_missing(self):
        self.assertIsNone(self.cache.get('cd' * 32))

    def test_half_written_entry_is_ignored(self):
        key = 'ef' * 32
        self.cache.put(key, runner.RunResult('real', 'pass'))
        path = self.cache._path(key)
        with open(path) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(text[:len(text) // 2])
        self.assertIsNone(self.cache.get(key))

    def test_entry_under_another_key_is_ignored(self):
        key, other = '01' * 32, '02' * 32
        self.cache.put(key, runner.RunResult('real', 'pass'))
        os.makedirs(os.path.dirname(self.cache._path(other)), exist_ok=True)
        os.rename(self.cache._path(key), self.cache._path(other))
        self.assertIsNone(self.cache.get(other))

    def test_no_temporary_files_left(self):
        self.cache.put('aa' * 32, runner.RunResult('real', 'pass'))
        names = os.listdir(os.path.dirname(self.cache._path('aa' * 32)))
        self.assertEqual(['aa' * 32 + '.json'], names)

    def test_unwritable_cache_is_not_fatal(self):
        blocker = os.path.join(self.dir, 'file')
        with open(blocker, 'w') as f:
            f.write('x')
        cache = runner.Cache(os.path.join(blocker, 'sub'))
        cache.put('bb' * 32, runner.RunResult('real', 'pass'))
        self.assertIsNone(cache.get('bb' * 32))

    def test_runner_key_depends_on_environment(self):
        r = runner.Runner(['real'], use_cache=False)
        key = r._key('v' * 64, 'real')
        r._fingerprint = json.dumps({'nova': 'other'})
        self.assertNotEqual(key, r._key('v' * 64, 'real'))
        self.assertNotEqual(r._key('v' * 64, 'real'),
                            r._key('v' * 64, 'bug-1825537'))


class TestWorkQueue(testtools.TestCase):

    V1 = runner.Version('x = 1\n', label='V1')
    V2 = runner.Version('x = 2\n', label='V2')

    def _items(self):
        return [('k1', self.V1, ['real', 'm1', 'm2']),
                ('k2', self.V2, ['m1'])]

    def test_real_first_then_mutants_on_pass(self):
        work = runner._WorkQueue(self._items())
        first = work.take()
        self.assertEqual(('k1', self.V1, ['real']), first)
        second = work.take()
        self.assertEqual(('k2', self.V2, ['m1']), second)
        work.done(second, {})
        work.done(first, {'real': runner.RunResult('real', 'pass')})
        self.assertEqual(('k1', self.V1, ['m1']), work.take())
        self.assertEqual(('k1', self.V1, ['m2']), work.take())

    def test_overlay_versions_keep_their_variants_together(self):
        version = runner.Version('x = 1\n', (('nova/a.py', 'y = 1\n'),))
        work = runner._WorkQueue([('k', version, ['real', 'm1'])])
        self.assertEqual(('k', version, ['real', 'm1']), work.take())

    def test_mutants_skipped_when_real_fails(self):
        work = runner._WorkQueue(self._items()[:1])
        first = work.take()
        work.done(first, {'real': runner.RunResult('real', 'fail')})
        self.assertIsNone(work.take())
        skipped = work.skipped()['k1']
        self.assertEqual({'m1', 'm2'}, set(skipped))
        self.assertEqual('skipped', skipped['m1'].outcome)


class TestFold(testtools.TestCase):

    def test_pass(self):
        self.assertEqual({'outcome': 'pass'}, runner._outcome_of(
            [{'id': 'a', 'status': 'pass', 'traceback': ''}], 'm.py', ''))

    def test_no_tests_is_an_error(self):
        self.assertEqual('error', runner._outcome_of([], 'm.py',
                                                     '')['outcome'])

    def test_skip_is_not_a_pass(self):
        self.assertEqual('error', runner._outcome_of(
            [{'id': 'a', 'status': 'skip', 'traceback': 'skipped: x'}],
            'm.py', '')['outcome'])

    def test_timeout(self):
        self.assertEqual('timeout', runner._outcome_of(
            [{'id': 'a', 'status': 'timeout', 'traceback': 'T'}],
            'm.py', '')['outcome'])

    def test_module_name(self):
        self.assertEqual('nova.compute.manager',
                         runner._module_name('nova/compute/manager.py'))
