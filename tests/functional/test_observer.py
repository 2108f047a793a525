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


"""The outcome observer against real nova and every mutant.

Each mutant must produce the placement outcome documented for it in
nova_resize_checks.mutants, and the classification must follow.
"""

import testscenarios
import testtools

from nova_resize_checks import mutants
from nova_resize_checks import observer
from nova_resize_checks import outcome

load_tests = testscenarios.load_tests_apply_scenarios


class TestObserveRealNova(testtools.TestCase):

    def test_real_nova_is_fixed(self):
        observation = observer.observe()
        self.assertEqual((outcome.FIXED, []),
                         outcome.classify(observation))
        self.assertEqual({'source': 'none', 'dest': 'flavor2'},
                         outcome.usage_summary(observation))
        self.assertEqual('Virtual Interface creation failed',
                         observation['server']['fault'])


class TestObserveMutants(testtools.TestCase):

    scenarios = [(name, dict(mutant=name)) for name in mutants.MUTANTS]

    def test_mutant_outcome(self):
        mutant = mutants.get(self.mutant)
        observation = observer.observe(self.mutant)
        self.assertEqual(
            {'source': mutant.source or 'none',
             'dest': mutant.dest or 'none'},
            outcome.usage_summary(observation))
        verdict, reasons = outcome.classify(observation)
        if self.mutant == 'bug-1825537':
            self.assertEqual(outcome.AFFECTED, verdict)
        else:
            self.assertEqual(outcome.UNEXPECTED, verdict)
            self.assertNotEqual([], reasons)
