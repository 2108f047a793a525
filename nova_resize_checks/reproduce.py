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


"""Run the scenario once in a child process and classify the outcome."""

from nova_resize_checks import env
from nova_resize_checks import json_child
from nova_resize_checks import mutants
from nova_resize_checks import outcome

DEFAULT_TIMEOUT = 300


class ScenarioError(Exception):
    """The scenario could not produce an observation; says why."""


def run_observer(mutant=None, timeout=DEFAULT_TIMEOUT, python=None):
    """Run ``nova_resize_checks.observer`` in a child; return its document.

    Raises EnvironmentProblem (nova cannot run here) or ScenarioError.
    """
    if mutant:
        mutants.get(mutant)   # unknown names fail before starting nova
    document = json_child.run('nova_resize_checks.observer',
                              ['--mutant', mutant] if mutant else [],
                              timeout, python, ScenarioError, 'the observer',
                              'the scenario')
    if 'scenario_error' in document:
        raise ScenarioError('the scenario failed before placement could be '
                            'observed:\n' + document['scenario_error'])
    return document


def reproduce(mutant=None, timeout=DEFAULT_TIMEOUT):
    """Return the report dict the CLI renders."""
    document = run_observer(mutant, timeout)
    observation = document['observation']
    verdict, reasons = outcome.classify(observation)
    return {
        'versions': document['versions'],
        'mutant': mutant,
        'verdict': verdict,
        'reasons': reasons,
        'usage': outcome.usage_summary(observation),
        'observation': observation,
        'seconds': document['seconds'],
        # The mode the child ran nova in (it follows this process's).
        'concurrency': env.concurrency(),
    }
