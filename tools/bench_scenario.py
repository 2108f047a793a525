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


"""Benchmark: our regression scenario against upstream's, side by side.

Runs nova's own ``nova.tests.functional.regressions.test_bug_1825537`` and
this package's ``tests.functional.test_bug_1825537`` on the same installed
nova, alternating (ABAB...) so that machine noise hits both alike, each
round in a fresh process, and prints the ratio of medians for the test time
and for the whole process.  Target: ours / upstream <= 1.05.

    python tools/bench_scenario.py [--rounds N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from nova_resize_checks.runs import protocol  # noqa: E402
SUBJECTS = (
    ('upstream', 'nova.tests.functional.regressions.test_bug_1825537'),
    ('ours', 'tests.functional.test_bug_1825537'),
)


def run_once(module, workdir):
    """(test seconds, process seconds) of one fresh worker running module."""
    job = {'module': module, 'overlay': [], 'timeout': 0, 'startup': 60,
           'unconfined': True, 'variant': 'real'}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, '-m', 'nova_resize_checks.runs.worker'],
        input=json.dumps(job).encode(), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, check=True, cwd=workdir,
        env=dict(os.environ, PYTHONPATH=HERE))
    wall = time.monotonic() - start
    found = protocol.read(proc.stdout)
    if found.environment_error:
        sys.exit('environment problem: %s' % found.environment_error)
    tests = found.tests.get('real', [])
    if [t['status'] for t in tests] != ['pass']:
        sys.exit('%s did not pass: %s' % (module, tests))
    return found.done['real'], wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()
    times = {name: {'test': [], 'process': []} for name, _ in SUBJECTS}
    with tempfile.TemporaryDirectory() as workdir:
        for round_no in range(args.rounds):
            order = SUBJECTS if round_no % 2 == 0 else SUBJECTS[::-1]
            for name, module in order:
                test_s, wall_s = run_once(module, workdir)
                times[name]['test'].append(test_s)
                times[name]['process'].append(wall_s)
            sys.stderr.write('round %d/%d done\n' % (round_no + 1,
                                                     args.rounds))
    print('%-10s %12s %12s' % ('', 'test (med)', 'process (med)'))
    medians = {}
    for name, _ in SUBJECTS:
        medians[name] = {kind: statistics.median(values)
                         for kind, values in times[name].items()}
        print('%-10s %11.2fs %12.2fs' % (name, medians[name]['test'],
                                         medians[name]['process']))
    for kind in ('test', 'process'):
        ratio = medians['ours'][kind] / medians['upstream'][kind]
        print('ratio ours/upstream (%s time, median of %d): %.3f'
              % (kind, args.rounds, ratio))
    return 0


if __name__ == '__main__':
    sys.exit(main())
