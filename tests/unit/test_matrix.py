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


import importlib.util
import os
import sys
import textwrap

import fixtures
import testtools

from nova_resize_checks import known_caught
from nova_resize_checks import matrix
from nova_resize_checks import matrix_child
from nova_resize_checks import mutants
from nova_resize_checks.report import scenario_text

HERE = os.path.dirname(os.path.abspath(__file__))
CANONICAL = os.path.join(os.path.dirname(HERE), 'functional',
                         'test_bug_1825537.py')


def _canonical():
    with open(CANONICAL) as f:
        return f.read()


def _run(failed=None, error='', seconds=1.0):
    return {'failed': dict(failed or {}), 'reached': [], 'error': error,
            'seconds': seconds}


class TestFindAssertions(testtools.TestCase):

    def test_canonical_assertions(self):
        found = matrix.find_assertions(_canonical())
        methods = [a.method for a in found]
        self.assertEqual(
            ['assertEqual', 'assertEqual', 'assertIn',
             'assertFlavorMatchesAllocation', 'assertFlavorMatchesUsage',
             'assertEqual', 'assertEqual'], methods)
        self.assertEqual(['_resize_and_assert_error'] * 3 +
                         ['test_finish_resize_fails_allocation_cleanup'] * 4,
                         [a.function for a in found])
        last = found[-1]
        # A call over two lines is one assertion spanning both.
        self.assertEqual(last.line + 1, last.end_line)
        self.assertIn(last.code, matrix.DOCUMENTED)
        self.assertIn(found[0].code, matrix.DOCUMENTED)

    def test_nested_call_is_part_of_outer_assertion(self):
        source = textwrap.dedent('''\
            class T(object):
                def test(self):
                    self.assertEqual(1, self.assertIsNone(None))
            ''')
        found = matrix.find_assertions(source)
        self.assertEqual(['assertEqual'], [a.method for a in found])

    def test_unparsable_source(self):
        self.assertEqual([], matrix.find_assertions('def (:'))


_SAMPLE = '''\
import testtools


def helper(case):
    case.assertEqual(1, 2)


class Sample(testtools.TestCase):
    def test_it(self):
        self.assertEqual(1, 2)
        self.assertIn(
            'a', 'bcd')
        self.assertEqual(3, 3)
        self.assertTrue({}['missing'] if False else True)
        self.assertEqual({}, self._boom())

    def _boom(self):
        return {'x': 1}

    def test_helper_stays_hard(self):
        helper(self)
'''


class TestSoftAssertions(testtools.TestCase):

    def _module(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'sample_soft.py')
        with open(path, 'w') as f:
            f.write(_SAMPLE)
        spec = importlib.util.spec_from_file_location('sample_soft', path)
        module = importlib.util.module_from_spec(spec)
        self.addCleanup(sys.modules.pop, 'sample_soft', None)
        sys.modules['sample_soft'] = module
        spec.loader.exec_module(module)
        return module, path

    def test_every_assertion_is_evaluated(self):
        module, path = self._module()
        case = module.Sample('test_it')
        soft = matrix_child.SoftAssertions(case, path,
                                           matrix.find_assertions(_SAMPLE))
        result = testtools.TestResult()
        case.run(result)

        self.assertTrue(result.wasSuccessful(), result.failures)
        self.assertEqual(['L10', 'L11', 'L15'], sorted(soft.failures))
        self.assertEqual(['L10', 'L11', 'L13', 'L14', 'L15'],
                         sorted(soft.reached))
        self.assertIn("'a' not in 'bcd'", soft.failures['L11'])

    def test_assertions_from_elsewhere_stay_hard(self):
        module, path = self._module()
        case = module.Sample('test_helper_stays_hard')
        soft = matrix_child.SoftAssertions(case, path,
                                           matrix.find_assertions(_SAMPLE))
        result = testtools.TestResult()
        case.run(result)

        self.assertEqual(1, len(result.failures))
        self.assertEqual({}, soft.failures)


def _sample_matrix():
    found = matrix.find_assertions(_canonical())
    keys = [a.key for a in found]
    # keys: 0 status, 1 host, 2 fault, 3 instance alloc, 4 dest usage,
    # 5 source usage, 6 migration consumer
    runs = {
        'real': _run(),
        'bug-1825537': _run({keys[3]: 'x', keys[4]: 'x', keys[5]: 'x'}),
        'no-source-cleanup': _run({keys[5]: 'x', keys[6]: 'x'}),
        'orphan-on-source': _run({keys[5]: 'x'}),
        'old-flavor-on-dest': _run(error='Traceback: boom'),
    }
    return matrix.build(_canonical(), runs, {'nova': '34.0.0'}), keys


class TestMatrix(testtools.TestCase):

    def test_catches_and_only(self):
        m, keys = _sample_matrix()
        by_key = {a.key: a for a in m.assertions}
        self.assertEqual(['bug-1825537', 'no-source-cleanup',
                          'orphan-on-source'], m.catches(by_key[keys[5]]))
        self.assertEqual(['orphan-on-source'], m.only(by_key[keys[5]]))
        self.assertEqual([], m.only(by_key[keys[6]]))
        self.assertEqual(['old-flavor-on-dest'], m.broken())
        self.assertEqual([], m.uncaught())

    def test_runs_follow_mutant_order(self):
        m, _ = _sample_matrix()
        order = [name for name in mutants.MUTANTS if name in m.runs]
        self.assertEqual(order, m.mutants)

    def test_redundant_reasons(self):
        m, keys = _sample_matrix()
        by_key = {a.key: a for a in m.assertions}
        self.assertIsNone(m.redundant_reason(by_key[keys[5]]))
        reason = m.redundant_reason(by_key[keys[6]])
        self.assertIn('no-source-cleanup also by %s' % keys[5], reason)
        self.assertIn('implied by the others', reason)
        self.assertIn('cannot fail once reached',
                      m.redundant_reason(by_key[keys[0]]))
        self.assertEqual('no mutant makes it fail',
                         m.redundant_reason(by_key[keys[1]]))

    def test_uncaught_mutant_is_reported(self):
        m, _ = _sample_matrix()
        m.runs['wrong-consumer'] = _run()
        self.assertEqual(['wrong-consumer'], m.uncaught())
        self.assertIn('NOT CAUGHT by the canonical test: wrong-consumer',
                      scenario_text.matrix_lines(m))

    def test_run_order_fewest_catchers_first(self):
        m, _ = _sample_matrix()
        self.assertEqual(['orphan-on-source', 'no-source-cleanup',
                          'bug-1825537', 'old-flavor-on-dest'],
                         m.run_order())

    def test_to_dict_and_cache_round_trip(self):
        m, keys = _sample_matrix()
        document = m.to_dict()
        rows = {row['key']: row for row in document['assertions']}
        self.assertEqual(['orphan-on-source'], rows[keys[5]]['only'])
        self.assertIsNone(rows[keys[5]]['redundant'])
        self.assertEqual([keys[5], keys[6]],
                         document['mutants']['no-source-cleanup'][
                             'caught_by'])
        again = matrix.Matrix.from_cache(m.to_cache())
        self.assertEqual(m.to_dict(), again.to_dict())

    def test_cache_format_mismatch(self):
        self.assertRaises(ValueError, matrix.Matrix.from_cache,
                          {'format': -1})

    def test_text_lines(self):
        m, keys = _sample_matrix()
        text = '\n'.join(scenario_text.matrix_lines(m))
        self.assertIn('%s: only it catches orphan-on-source' % keys[5], text)
        self.assertIn('%s: redundant:' % keys[6], text)
        self.assertIn('scenario error: Traceback: boom', text)


class TestCatchers(testtools.TestCase):

    def test_catchers_from_given_matrix(self):
        m, keys = _sample_matrix()
        found = matrix.catchers(['orphan-on-source', 'no-source-cleanup',
                                 'unknown'], matrix=m)
        self.assertEqual([keys[5]],
                         [a.key for a in found['orphan-on-source']])
        self.assertEqual([keys[5], keys[6]],
                         [a.key for a in found['no-source-cleanup']])
        self.assertEqual([], found['unknown'])

    def test_describe_survivors(self):
        m, keys = _sample_matrix()
        text = matrix.describe_survivors(['orphan-on-source'], matrix=m)
        self.assertEqual(
            'mutant orphan-on-source survives; in the canonical test it is '
            'caught only by %s `self.assertEqual(no_usage, '
            'source_rp_usages)`' % keys[5], text)

    def test_no_cached_matrix(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('XDG_CACHE_HOME', tmp))
        self.useFixture(fixtures.MockPatchObject(
            matrix.env, 'versions', return_value={'nova': 'x'}))
        self.assertIsNone(matrix.catchers(['bug-1825537']))
        self.assertIsNone(matrix.describe_survivors(['bug-1825537']))

    def test_cached_matrix_is_used(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('XDG_CACHE_HOME', tmp))
        self.useFixture(fixtures.MockPatchObject(
            matrix.env, 'versions', return_value={'nova': 'x'}))
        m, keys = _sample_matrix()
        matrix._store(matrix.cache_key(), m)
        found = matrix.catchers(['orphan-on-source'])
        self.assertEqual([keys[5]],
                         [a.key for a in found['orphan-on-source']])


class TestRunOrderData(testtools.TestCase):

    def test_run_order_names_every_mutant_once(self):
        self.assertEqual(sorted(mutants.MUTANTS), sorted(mutants.RUN_ORDER))
        self.assertEqual(len(mutants.RUN_ORDER), len(set(mutants.RUN_ORDER)))


def _full_matrix():
    """A matrix shaped like the measured one (see the README table)."""
    found = matrix.find_assertions(_canonical())
    keys = [a.key for a in found]
    status, host, fault, alloc, dest, source, migration = keys
    caught = {
        'bug-1825537': [alloc, dest, source],
        'no-source-cleanup': [source, migration],
        'drop-dest-allocation': [alloc, dest],
        'old-flavor-on-dest': [alloc, dest],
        'double-allocation': [alloc, source],
        'migration-moved-to-dest': [dest, migration],
        'wrong-consumer': [alloc, dest, source, migration],
        'skip-on-vif-error': [source, migration],
        'orphan-on-source': [source],
        'orphan-on-dest': [dest],
        'dest-under-orphan': [alloc],
        'host-reverted': [host],
        'cleanup-error-masks-fault': [fault],
    }
    runs = {'real': _run()}
    for name, lines in caught.items():
        runs[name] = _run({k: 'x' for k in lines})
    return matrix.build(_canonical(), runs), keys


class TestStillCaught(testtools.TestCase):

    def _replace(self, old, new):
        source = _canonical()
        self.assertIn(old, source)
        return source.replace(old, new)

    def test_canonical_itself_needs_no_mutant_run(self):
        m, _ = _full_matrix()
        found = known_caught.still_caught(_canonical(), m, _canonical())
        self.assertEqual(sorted(mutants.MUTANTS), sorted(found))

    def test_loosened_source_usage_leaves_its_mutant_to_run(self):
        m, keys = _full_matrix()
        proposed = self._replace(
            'self.assertEqual(no_usage, source_rp_usages)',
            "self.assertIn('VCPU', source_rp_usages)")
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-source', found)
        # no-source-cleanup is still caught by the migration consumer check.
        self.assertEqual(keys[6], found['no-source-cleanup'].key)
        self.assertEqual(keys[3], found['bug-1825537'].key)
        self.assertEqual(len(mutants.MUTANTS) - 1, len(found))

    def test_deleted_assertions(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            '        self.assertFlavorMatchesUsage(dest_rp_uuid, '
            'self.flavor2)\n', '')
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-dest', found)
        self.assertIn('migration-moved-to-dest', found)

    def test_an_assertion_whose_builtin_is_given_a_function(self):
        # sorted(..., key=no_usage.update) makes no_usage equal whatever
        # the source usages are: the assertion after it no longer bites.
        m, _ = _full_matrix()
        proposed = self._replace(
            '        self.assertEqual(no_usage, source_rp_usages)\n',
            '        self.assertTrue(sorted([source_rp_usages], '
            'key=no_usage.update))\n'
            '        self.assertEqual(no_usage, source_rp_usages)\n')
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-source', found)

    def test_an_added_line_that_can_raise_under_a_mutant(self):
        # Under the mutants that change the source usage, the added line
        # raises ZeroDivisionError before the kept assertion: an error,
        # which catches nothing (round 6).  Mutants must run.
        m, _ = _full_matrix()
        line = '        self.assertEqual(no_usage, source_rp_usages)\n'
        for added in ('clean = 1 // (source_rp_usages == no_usage)',
                      "first = source_rp_usages[dest_rp_uuid]",
                      'self.assertTrue(int(str(source_rp_usages)))',
                      "self.assertEqual('ERROR', server['fault'])",
                      # round 7: a member unhashable only under a mutant,
                      # an operand whose type follows the values, a
                      # pattern whose time does
                      'clean = {source_rp_usages == no_usage or []}',
                      "self.assertIn('VCPU', source_rp_usages == no_usage "
                      "and no_usage or 0)",
                      "self.assertRegex('a' * 30, source_rp_usages == "
                      "no_usage and 'b' or '^(a+)+$')"):
            proposed = self._replace(line, '        %s\n%s' % (added, line))
            self.assertEqual({}, known_caught.still_caught(
                proposed, m, _canonical()), added)

    def test_an_added_line_that_cannot_raise_still_counts(self):
        m, _ = _full_matrix()
        line = '        self.assertEqual(no_usage, source_rp_usages)\n'
        for added in ("self.assertEqual('ERROR', server['status'])",
                      'clean = source_rp_usages == no_usage',
                      'self.assertTrue(not self._get_provider_usages('
                      'source_rp_uuid) != no_usage)'):
            proposed = self._replace(line, '        %s\n%s' % (added, line))
            self.assertEqual(sorted(mutants.MUTANTS), sorted(
                known_caught.still_caught(proposed, m, _canonical())), added)

    def test_comment_and_docstring_changes_do_not_matter(self):
        m, _ = _full_matrix()
        proposed = self._replace('    """Regression test for bug 1825537.',
                                 '    """Bug 1825537.')
        proposed = proposed.replace('# Two computes', '# 2 computes')
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertEqual(sorted(mutants.MUTANTS), sorted(found))

    def test_added_read_only_assertion(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            '        self.assertEqual(no_usage, source_rp_usages)\n',
            '        self.assertEqual(no_usage, source_rp_usages)\n'
            '        self.assertEqual(\n'
            '            1, len(self._get_allocations_by_server_uuid(\n'
            "                server['id'])))\n")
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertEqual(sorted(mutants.MUTANTS), sorted(found))

    def test_rebinding_self_or_aliasing_an_object_means_run_everything(self):
        # "self = <a mock>" before the placement reads turns every later
        # assertion into a call that cannot fail; an alias of an object
        # (a bare name or attribute path) may reach anything too.
        m, _ = _full_matrix()
        line = "        source_rp_uuid = self._get_provider_uuid_by_host("
        for added in ('self = base.integrated_helpers.mock.call',
                      'len = base.integrated_helpers.mock.call',
                      'recorder = base.integrated_helpers'):
            proposed = self._replace(line, '        %s\n%s' % (added, line))
            found = known_caught.still_caught(proposed, m, _canonical())
            self.assertEqual({}, found, added)

    def test_assertion_with_side_effects_means_run_everything(self):
        m, _ = _full_matrix()
        for added in ("self.assertIsNone(self._delete_server(server))",
                      "self.assertTrue((server := None) is None)",
                      "self.assertRaises(Exception, lambda: 1 / 0)",
                      "self.assertTrue(no_usage.pop('VCPU'))"):
            proposed = self._replace(
                '        source_rp_usages = ',
                '        %s\n        source_rp_usages = ' % added)
            self.assertEqual({}, known_caught.still_caught(
                proposed, m, _canonical()), added)

    def test_other_code_changes_mean_run_everything(self):
        m, _ = _full_matrix()
        proposed = self._replace("self._start_compute('host2')",
                                 "self._start_compute('host3')")
        self.assertEqual({}, known_caught.still_caught(
            proposed, m, _canonical()))
        self.assertEqual({}, known_caught.still_caught(
            'def (:', m, _canonical()))

    def test_moved_across_a_nova_call_no_longer_counts(self):
        m, _ = _full_matrix()
        line = '        self.assertEqual(no_usage, source_rp_usages)\n'
        proposed = self._replace(line, '')
        anchor = '        # Resize to the big flavor'
        self.assertIn(anchor, proposed)
        proposed = proposed.replace(anchor, line + anchor)
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-source', found)
        self.assertIn('bug-1825537', found)

    def test_moved_past_reads_only_still_counts(self):
        m, _ = _full_matrix()
        line = '        self.assertEqual(no_usage, source_rp_usages)\n'
        proposed = self._replace(line, '')
        anchor = ("        migration_uuid = self.get_migration_uuid_for_"
                  "instance(server['id'])\n")
        self.assertIn(anchor, proposed)
        proposed = proposed.replace(anchor, anchor + line)
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertEqual(sorted(mutants.MUTANTS), sorted(found))

    def test_changed_value_an_assertion_reads(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            "no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}",
            'no_usage = source_rp_usages')
        found = known_caught.still_caught(proposed, m, _canonical())
        # The source assertion is unchanged but now compares a value with
        # itself: it no longer counts.
        self.assertNotIn('orphan-on-source', found)
        self.assertIn('no-source-cleanup', found)

    def test_removed_assertion_and_the_names_it_used(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            "        source_rp_usages = self._get_provider_usages("
            "source_rp_uuid)\n"
            "        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}\n"
            "        self.assertEqual(no_usage, source_rp_usages)\n", '')
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-source', found)
        self.assertEqual(len(mutants.MUTANTS) - 1, len(found))

    def test_assertion_that_calls_its_argument(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            '        source_rp_usages = ',
            '        self.assertRaises(Exception, self._delete_server, '
            'server)\n        source_rp_usages = ')
        self.assertEqual({}, known_caught.still_caught(
            proposed, m, _canonical()))

    def test_class_attributes_are_not_movable(self):
        m, _ = _full_matrix()
        proposed = self._replace('compute_driver = virt.DRIVER',
                                 "compute_driver = 'fake.MediumFakeDriver'")
        self.assertEqual({}, known_caught.still_caught(
            proposed, m, _canonical()))

    def test_consistent_renames(self):
        m, _ = _full_matrix()
        proposed = _canonical().replace('dest_host', 'target_host').replace(
            'source_rp_usages', 'usages_on_host1').replace(
            '_resize_and_assert_error', '_resize_expecting_error')
        # Without nova's helper names, method renames are not seen through.
        self.assertEqual({}, known_caught.still_caught(
            proposed, m, _canonical()))
        names = frozenset(('_start_compute', '_wait_for_state_change'))
        found = known_caught.still_caught(proposed, m, _canonical(),
                                          helper_names=names)
        self.assertEqual(sorted(mutants.MUTANTS), sorted(found))

    def test_rename_onto_a_test_framework_hook_is_not_seen_through(self):
        # testtools calls self._report_failure when an assertion fails: a
        # helper renamed onto it turns every failure into an error
        # (round 8).
        m, _ = _full_matrix()
        for name in ('_report_failure', '_callTestMethod', 'addDetail'):
            proposed = _canonical().replace('_resize_and_assert_error',
                                            name)
            self.assertEqual({}, known_caught.still_caught(
                proposed, m, _canonical(), helper_names=frozenset((
                    '_start_compute', '_wait_for_state_change'))), name)

    def test_rename_onto_a_nova_helper_is_not_seen_through(self):
        m, _ = _full_matrix()
        proposed = _canonical().replace('_resize_and_assert_error',
                                        '_start_compute_service')
        names = frozenset(('_start_compute_service',))
        self.assertEqual({}, known_caught.still_caught(
            proposed, m, _canonical(), helper_names=names))

    def test_inconsistent_rename(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            'def _resize_and_assert_error(self, server, dest_host):',
            'def _resize_and_assert_error(self, server, target_host):')
        # The host assertion now reads another name: it no longer counts.
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('host-reverted', found)

    def test_rename_and_deletion_in_different_functions(self):
        m, _ = _full_matrix()
        proposed = self._replace(
            "        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}\n"
            "        self.assertEqual(no_usage, source_rp_usages)\n", '')
        proposed = proposed.replace('dest_host', 'target_host')
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-source', found)
        # Locals are renamed function by function: the helper's rename is
        # seen through although the test method lost two statements.
        self.assertIn('host-reverted', found)

    def test_rename_to_a_name_the_function_uses(self):
        m, _ = _full_matrix()
        # Shadowing a name the function reads changes what it reads.
        proposed = _canonical().replace('no_usage', 'dict_').replace(
            'source_rp_usages', 'dict_')
        found = known_caught.still_caught(proposed, m, _canonical())
        self.assertNotIn('orphan-on-source', found)
