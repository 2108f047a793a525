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


"""``nova-resize-checks mutants``: the named mutants, or their matrix."""

import sys

from nova_resize_checks.cli import base
from nova_resize_checks.cli import progress as progress_mod
from nova_resize_checks import mutants
from nova_resize_checks.report import scenario_text

DESCRIPTION = (
    'List the named nova mutants (each puts a wrong clean-up back into '
    'nova\'s finish_resize failure path, in-process, for one run). With '
    '--matrix, run the canonical test once per mutant with every '
    'assertion evaluated and show, for each assertion, the mutants it '
    'catches and the ones only it catches; exit 1 if a mutant escapes.')


def register(sub):
    mut = sub.add_parser('mutants', help='list the named nova mutants, or '
                                         'with --matrix which assertions '
                                         'of the canonical test catch them',
                         description=DESCRIPTION)
    mut.add_argument('--format', choices=('text', 'json'), default='text')
    mut.add_argument('--matrix', action='store_true',
                     help='run the canonical test once per mutant with '
                          'every assertion evaluated and show, for each '
                          'assertion, the mutants it (alone) catches')
    mut.add_argument('--timeout', type=float, default=600.0,
                     help='seconds all the --matrix runs may take '
                          '(default %(default)s)')
    mut.add_argument('--no-cache', action='store_true',
                     help='recompute the --matrix even if a cached one '
                          'exists for these versions')
    mut.add_argument('--jobs', type=int, default=1,
                     help='with --matrix: child processes sharing the '
                          'runs (default %(default)s: one process, nova '
                          'imported once)')
    mut.add_argument('-q', '--quiet', action='store_true',
                     help='no progress on stderr')
    mut.set_defaults(func=run)
    return mut


def run(args):
    if not args.matrix:
        if args.format == 'json':
            base.emit_json({'mutants': [
                {'name': m.name, 'summary': m.summary, 'source': m.source,
                 'dest': m.dest} for m in mutants.MUTANTS.values()]},
                concurrency=False)
        else:
            scenario_text.mutants_text(base.console(sys.stdout),
                                       mutants.MUTANTS.values())
        return base.EXIT_OK
    from nova_resize_checks import matrix as matrix_mod

    if args.timeout <= 0:
        raise base.UsageError('--timeout must be positive')
    if args.jobs < 1:
        raise base.UsageError('--jobs must be at least 1')
    jobs = args.jobs
    progress = progress_mod.Progress(sys.stderr, 'matrix run', jobs,
                                     enabled=not args.quiet)
    try:
        found = matrix_mod.compute(timeout=args.timeout,
                                   use_cache=not args.no_cache, jobs=jobs,
                                   progress=progress)
    finally:
        progress.close()
    if args.format == 'json':
        base.emit_json(found.to_dict())
    else:
        base.write_lines(sys.stdout, scenario_text.matrix_lines(found))
    return base.EXIT_FOUND if found.uncaught() else base.EXIT_OK
