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


"""Run the bug 1825537 scenario once and record what placement holds.

The scenario is the one the regression test runs (two fake computes, boot on
host1 with flavors[0], resize to flavors[1], finish_resize fails on host2),
but instead of asserting it records: server state, migration status, usage
per provider and allocations per consumer.  :mod:`outcome` classifies it.

Run it in a child process (``python -m nova_resize_checks.observer``):
nova's test framework monkey-patches the process and keeps global state,
which a long-lived CLI process should not inherit.
"""

import argparse
import sys
import time

from nova_resize_checks import env
from nova_resize_checks import json_child


def _scenario_case():
    # Imported late: importing nova's test packages patches the process.
    from nova_resize_checks import observer_case

    return observer_case.ScenarioObserver


class ScenarioFailed(Exception):
    """The scenario errored before placement could be observed."""


def observe(mutant=None):
    """Run the scenario in this process; return the observation dict.

    Raises EnvironmentProblem when nova cannot run it and ScenarioFailed
    (with nova's traceback) when the scenario itself errors.
    """
    import testtools

    from nova_resize_checks import mutants

    env.check_environment()
    case_class = _scenario_case()
    case_class.observation = None
    case = case_class('test_observe')
    result = testtools.TestResult()
    if mutant:
        with mutants.MutantFixture(mutant):
            case.run(result)
    else:
        case.run(result)
    problems = result.errors + result.failures
    if problems or case_class.observation is None:
        detail = '\n'.join(text for _, text in problems)
        raise ScenarioFailed(detail or 'the scenario recorded nothing')
    return case_class.observation


def main(argv=None):
    """Child-process entry point; writes a JSON document to --output."""
    parser = argparse.ArgumentParser(prog='nova_resize_checks.observer')
    parser.add_argument('--mutant')
    parser.add_argument('--output', required=True)
    args = parser.parse_args(argv)
    document = {'versions': env.versions(), 'mutant': args.mutant}
    start = time.monotonic()
    try:
        document['observation'] = observe(args.mutant)
    except env.EnvironmentProblem as exc:
        document['environment_error'] = str(exc)
    except ScenarioFailed as exc:
        document['scenario_error'] = str(exc)
    document['seconds'] = round(time.monotonic() - start, 3)
    json_child.write(args.output, document)
    return 0


if __name__ == '__main__':
    sys.exit(main())
