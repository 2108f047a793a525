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

import json
import os
import subprocess
import sys
import tempfile

from nova_resize_checks import env
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
    with tempfile.TemporaryDirectory(prefix='nrc-observe-') as tmp:
        output = os.path.join(tmp, 'observation.json')
        cmd = [python or sys.executable, '-m', 'nova_resize_checks.observer',
               '--output', output]
        if mutant:
            cmd += ['--mutant', mutant]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout,
                                  cwd=tmp)
        except subprocess.TimeoutExpired:
            raise ScenarioError('the scenario did not finish within %ss'
                                % timeout)
        except OSError as exc:
            raise env.EnvironmentProblem('cannot start %s: %s'
                                         % (cmd[0], exc))
        if not os.path.exists(output):
            tail = proc.stderr.decode('utf-8', 'replace').strip()
            raise ScenarioError('the observer exited with %s and wrote no '
                                'result:\n%s' % (proc.returncode,
                                                 tail[-3000:]))
        with open(output) as f:
            document = json.load(f)
    if 'environment_error' in document:
        raise env.EnvironmentProblem(document['environment_error'])
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
    }
