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


"""Prove that the regression test's assertions bite.

Each named mutant puts a wrong clean-up back into nova for the duration of
one run of the canonical test.  The test must fail, and it must fail on one
of its own assertions (a placement assertion for every mutant that gets
placement wrong): an error, a wait helper giving up or a failure while
booting would say nothing about the clean-up.
"""

import inspect
import os
import sys

import fixtures
import testscenarios
import testtools

from nova_resize_checks import assertions
from nova_resize_checks import matrix
from nova_resize_checks import matrix_child
from nova_resize_checks import mutants
from tests.functional import test_bug_1825537

load_tests = testscenarios.load_tests_apply_scenarios

METHOD = 'test_finish_resize_fails_allocation_cleanup'


def _run_canonical():
    # Looked up here, not bound at module level: a TestCase class bound in
    # this module would be collected and run a second time from here.
    case = test_bug_1825537.FinishResizeErrorAllocationCleanupTestCase(
        METHOD)
    result = testtools.TestResult()
    case.run(result)
    return result


class TestMutantsAreCaught(testtools.TestCase):

    # The assertion each mutant is expected to trip first, named by the
    # helper or variable on its line, and whether that is a placement
    # assertion (the last two mutants leave placement right and are caught
    # by the checks on the failed server).
    scenarios = [
        ('bug-1825537', dict(mutant='bug-1825537',
                             first='assertFlavorMatchesAllocation')),
        ('no-source-cleanup', dict(mutant='no-source-cleanup',
                                   first='no_usage')),
        ('drop-dest-allocation', dict(mutant='drop-dest-allocation',
                                      first='assertFlavorMatchesAllocation')),
        ('old-flavor-on-dest', dict(mutant='old-flavor-on-dest',
                                    first='assertFlavorMatchesAllocation')),
        ('double-allocation', dict(mutant='double-allocation',
                                   first='assertFlavorMatchesAllocation')),
        ('migration-moved-to-dest', dict(mutant='migration-moved-to-dest',
                                         first='assertFlavorMatchesUsage')),
        ('wrong-consumer', dict(mutant='wrong-consumer',
                                first='assertFlavorMatchesAllocation')),
        ('skip-on-vif-error', dict(mutant='skip-on-vif-error',
                                   first='no_usage')),
        ('orphan-on-source', dict(mutant='orphan-on-source',
                                  first='no_usage')),
        ('orphan-on-dest', dict(mutant='orphan-on-dest',
                                first='assertFlavorMatchesUsage')),
        ('dest-under-orphan', dict(mutant='dest-under-orphan',
                                   first='assertFlavorMatchesAllocation')),
        ('host-reverted', dict(mutant='host-reverted',
                               first="server['OS-EXT-SRV-ATTR:host']",
                               allocation=False)),
        ('cleanup-error-masks-fault', dict(
            mutant='cleanup-error-masks-fault',
            first='Virtual Interface creation failed', allocation=False)),
    ]
    allocation = True

    def _expected(self, result):
        """Whether ``result`` failed once, where this mutant should."""
        if result.errors or len(result.failures) != 1:
            return False
        site = assertions.failure_site(
            result.failures[0][1], test_bug_1825537.__file__,
            inspect.getsource(test_bug_1825537))
        return site is not None and site.allocation == self.allocation \
            and self.first in site.code

    def test_canonical_test_fails_on_an_assertion(self):
        self.useFixture(mutants.MutantFixture(self.mutant))
        result = _run_canonical()
        if not self._expected(result):
            # Under load, nova's sqlite database can lock in native
            # threading mode ("database is locked" in prep_resize): the
            # resize fails before any placement check.  Such a lock does
            # not repeat; a mutant or test defect does, and the asserts
            # below then report the second run.
            result = _run_canonical()

        self.assertEqual([], [text for _, text in result.errors],
                         'the canonical test errored under %s instead of '
                         'failing an assertion' % self.mutant)
        self.assertEqual(1, len(result.failures),
                         'the canonical test passed under mutant %s'
                         % self.mutant)
        traceback_text = result.failures[0][1]
        source = inspect.getsource(test_bug_1825537)
        site = assertions.failure_site(
            traceback_text, test_bug_1825537.__file__, source)
        self.assertIsNotNone(site, traceback_text)
        # One of the test's own assertions, not a wait helper giving up.
        self.assertIn(site.line, {
            line for a in matrix.find_assertions(source)
            for line in range(a.line, a.end_line + 1)}, traceback_text)
        self.assertEqual(self.allocation, site.allocation,
                         'failed at line %d (%s):\n%s'
                         % (site.line, site.code, traceback_text))
        self.assertIn(self.first, site.code)


class TestEveryMutantIsCovered(testtools.TestCase):

    def test_scenarios_name_every_mutant(self):
        self.assertEqual(
            sorted(mutants.MUTANTS),
            sorted(name for name, _ in TestMutantsAreCaught.scenarios))


class TestSameHostVariantCatchesTheBug(testtools.TestCase):

    def test_same_host_variant_fails_under_bug(self):
        from tests.functional import test_bug_1825537_same_host as same_host

        self.useFixture(mutants.MutantFixture('bug-1825537'))
        case = same_host.FinishResizeErrorSameHostAllocationCleanupTestCase(
            METHOD)
        result = testtools.TestResult()
        case.run(result)

        self.assertEqual([], [text for _, text in result.errors])
        self.assertEqual(1, len(result.failures),
                         'the same-host test passed under bug-1825537')
        site = assertions.failure_site(
            result.failures[0][1], same_host.__file__,
            inspect.getsource(same_host))
        self.assertIsNotNone(site)
        self.assertTrue(site.allocation, result.failures[0][1])


class TestWeakenedVersionsLetTheirMutantThrough(testtools.TestCase):
    """Each mutant only one assertion catches survives without it.

    A version of the canonical test with that assertion loosened or
    removed passes under the mutant (the meta-check's ``weakens``), while
    a mutant another kept assertion catches is still caught, as
    known_caught.still_caught predicts.
    """

    source_check = 'self.assertEqual(no_usage, source_rp_usages)'
    scenarios = [
        ('loosened-source-usage', dict(
            old=source_check,
            new="self.assertIn('VCPU', source_rp_usages)",
            survivor='orphan-on-source', caught='no-source-cleanup')),
        ('no-dest-usage', dict(
            old='self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)',
            new='pass', survivor='orphan-on-dest',
            caught='migration-moved-to-dest')),
        ('no-fault-check', dict(
            old="self.assertIn('Virtual Interface creation failed',",
            new="self.assertIn('',", survivor='cleanup-error-masks-fault',
            caught='wrong-consumer')),
    ]

    def _run(self, source, mutant):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'test_weakened.py')
        with open(path, 'w') as f:
            f.write(source)
        name = '_nrc_weakened_%s' % self.id().rsplit('(', 1)[-1].strip(')')
        name = name.replace('-', '_')
        self.addCleanup(sys.modules.pop, name, None)
        module = matrix_child._load_module(path, name)
        case = matrix_child._test_class(module)(METHOD)
        result = testtools.TestResult()
        with mutants.MutantFixture(mutant):
            case.run(result)
        return result

    def test_weakened_version(self):
        canonical_source = inspect.getsource(test_bug_1825537)
        self.assertIn(self.old, canonical_source)
        source = canonical_source.replace(self.old, self.new)
        survived = self._run(source, self.survivor)
        self.assertTrue(survived.wasSuccessful(),
                        '%s did not survive: %s' % (
                            self.survivor, survived.failures +
                            survived.errors))
        caught = self._run(source, self.caught)
        self.assertFalse(caught.wasSuccessful())
        self.assertEqual([], caught.errors)
