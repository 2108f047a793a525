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


"""``nova-resize-checks reproduce``: the scenario once, classified."""

import sys

from nova_resize_checks.cli import base
from nova_resize_checks import mutants
from nova_resize_checks import outcome
from nova_resize_checks.report import scenario_text
from nova_resize_checks import reproduce as reproduce_mod

DESCRIPTION = (
    'Run the bug 1825537 scenario once in a child process against the '
    'installed nova and placement (optionally with a named nova mutant), '
    'print what each provider and consumer holds and classify it: fixed, '
    'affected or unexpected. The output names nova\'s concurrency mode '
    '(eventlet or native threads).')


def register(sub):
    rep = sub.add_parser(
        'reproduce', help='run the scenario once against the installed '
                          'nova and classify what placement holds',
        description=DESCRIPTION)
    rep.add_argument('--mutant', choices=list(mutants.MUTANTS),
                     help='apply a named nova mutant for this run')
    rep.add_argument('--format', choices=('text', 'json'), default='text')
    rep.add_argument('--timeout', type=float,
                     default=reproduce_mod.DEFAULT_TIMEOUT,
                     help='seconds before the run is abandoned '
                          '(default %(default)s)')
    rep.set_defaults(func=run)
    return rep


def run(args):
    if args.timeout <= 0:
        raise base.UsageError('--timeout must be positive')
    report = reproduce_mod.reproduce(args.mutant, args.timeout)
    if args.format == 'json':
        base.emit_json(report)
    else:
        scenario_text.reproduce_text(base.console(sys.stdout), report)
    return base.EXIT_OK if report['verdict'] == outcome.FIXED \
        else base.EXIT_FOUND
