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

Each named mutant puts a wrong allocation clean-up back into nova for the
duration of one run of the canonical test.  The test must fail, and it must
fail on one of its placement assertions: an error, a wait helper giving up
or a failure while booting would say nothing about allocations.
"""

import inspect

import testscenarios
import testtools

from nova_resize_checks import assertions
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
    # helper or variable on its line, from the outcomes in mutants.py.
    scenarios = [
        ('bug-1825537', dict(mutant='bug-1825537',
                             first='assertFlavorMatchesAllocation')),
        ('no-source-cleanup', dict(mutant='no-source-cleanup',
                                   first='no_usage')),
        ('drop-dest-allocation', dict(mutant='drop-dest-allocation',
                                      first='assertFlavorMatchesAllocation')),
        ('old-flavor-on-dest', dict(mutant='old-flavor-on-dest',
                                    first='assertFlavorMatchesAllocation')),
    ]

    def test_canonical_test_fails_on_allocation_assertion(self):
        self.useFixture(mutants.MutantFixture(self.mutant))
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
        self.assertTrue(site.allocation,
                        'failed at line %d (%s), not on an allocation '
                        'assertion:\n%s' % (site.line, site.code,
                                            traceback_text))
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
