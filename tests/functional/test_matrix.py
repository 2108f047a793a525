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


"""The assertion x mutant matrix against real nova, end to end.

Child processes run the canonical test against real nova and every mutant
with soft assertions (about a minute), once per test run into the run's
shared cache (:mod:`tests.functional.shared`, which the review classes
read too); the tests below read that one matrix.  Every assertion of the
canonical test must be needed by a mutant or be documented as redundant,
every mutant must be caught, and the run order of :mod:`mutants` must put
the mutants that fewer assertions catch first.
"""

import io
import json
import time

import fixtures
import testtools

from nova_resize_checks import cli
from nova_resize_checks import known_caught
from nova_resize_checks import matrix
from nova_resize_checks import mutants
from tests.functional import shared


class MatrixTestCase(testtools.TestCase):

    _computed = None
    _cache_home = None

    @classmethod
    def tearDownClass(cls):
        cls._cache_home = cls._computed = None
        super(MatrixTestCase, cls).tearDownClass()

    def setUp(self):
        super(MatrixTestCase, self).setUp()
        cls = type(self)
        if cls._computed is None:
            # Computed once per test run, in the run's shared cache (this
            # first test's time includes it, so stestr's timings see it).
            cls._cache_home = shared.warm()
            with fixtures.EnvironmentVariable('XDG_CACHE_HOME',
                                              cls._cache_home):
                cls._computed = matrix.compute(use_cache=True)
        self.useFixture(fixtures.EnvironmentVariable(
            'XDG_CACHE_HOME', cls._cache_home))
        self.matrix = cls._computed

    def test_real_nova_passes_every_assertion(self):
        real = self.matrix.runs[matrix.REAL]
        self.assertEqual({}, real['failed'])
        self.assertEqual('', real['error'])
        # Every assertion was evaluated.
        self.assertEqual(sorted(a.key for a in self.matrix.assertions),
                         sorted(real['reached']))

    def test_every_mutant_is_caught(self):
        self.assertEqual(list(mutants.MUTANTS), self.matrix.mutants)
        self.assertEqual([], self.matrix.uncaught())
        self.assertEqual([], self.matrix.broken())

    def test_every_assertion_is_needed_or_documented(self):
        for assertion in self.matrix.assertions:
            if self.matrix.only(assertion):
                continue
            self.assertIn(assertion.code, matrix.DOCUMENTED,
                          '%s is needed by no mutant and not documented as '
                          'redundant: %s' % (assertion.label(),
                                             self.matrix.redundant_reason(
                                                 assertion)))

    def test_documented_ones_are_exactly_the_redundant_ones(self):
        # The README and DOCUMENTED say which assertions no mutant needs;
        # that must stay true: the others are each needed by a mutant.
        redundant = sorted(a.code for a in self.matrix.assertions
                           if not self.matrix.only(a))
        self.assertEqual(sorted(matrix.DOCUMENTED), redundant)

    def test_run_order_follows_the_matrix(self):
        counts = [len(self.matrix.caught(m)) for m in mutants.RUN_ORDER]
        self.assertEqual(sorted(counts), counts,
                         dict(zip(mutants.RUN_ORDER, counts)))
        self.assertEqual(sorted(mutants.RUN_ORDER),
                         sorted(self.matrix.run_order()))

    def test_recorded_outcomes_match_the_matrix(self):
        # The mutants that leave the source empty are not caught by the
        # source usage assertion, and the other way round.
        source_usage = [a for a in self.matrix.assertions
                        if a.code == 'self.assertEqual(no_usage, '
                                     'source_rp_usages)'][0]
        for name, mutant in mutants.MUTANTS.items():
            self.assertEqual(mutant.source is not None,
                             source_usage.key in self.matrix.caught(name),
                             name)

    def test_canonical_needs_no_mutant_run(self):
        found = known_caught.still_caught(matrix.canonical.read_test(),
                                          self.matrix)
        self.assertEqual(sorted(mutants.MUTANTS), sorted(found))

    def test_survivor_is_described_from_cache(self):
        text = matrix.describe_survivors(['orphan-on-source'])
        self.assertIn('mutant orphan-on-source survives; in the canonical '
                      'test it is caught only by ', text)
        self.assertIn('self.assertEqual(no_usage, source_rp_usages)', text)

    def test_cli_answers_from_cache(self):
        stdout = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        start = time.monotonic()
        self.assertEqual(0, cli.main(['mutants', '--matrix', '--format',
                                      'json']))
        self.assertLess(time.monotonic() - start, 10)
        document = json.loads(stdout.getvalue())
        self.assertEqual([], document['uncaught'])
        self.assertEqual(len(self.matrix.assertions),
                         len(document['assertions']))
        self.assertEqual(set(mutants.MUTANTS), set(document['mutants']))
