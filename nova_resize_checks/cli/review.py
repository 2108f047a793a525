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


"""``nova-resize-checks review``: the meta-check over code reviews.

Every path and argument is checked before anything runs
(:func:`inputs.collect`): a missing, unreadable, binary or non-text
review is a usage error (exit 2), never a verdict.
"""

import os
import sys

from nova_resize_checks.cli import base
from nova_resize_checks.cli import progress as progress_mod
from nova_resize_checks import env
from nova_resize_checks import inputs
from nova_resize_checks.runs import pool as runs_pool

DESCRIPTION = (
    'Read code reviews of the regression test (plain text or markdown, '
    'or the comments of Gerrit, GitHub or SARIF as JSON, recognised by '
    'content; a directory is searched for %s; - reads one from standard '
    'input), apply the concrete changes each one claims to the canonical '
    'test, run the result confined against real nova and every mutant, '
    'and flag the reviews whose proposal breaks or weakens the test or '
    'reaches outside it. Exit 1 when a review is flagged, 2 when a '
    'review cannot be read (nothing is run then).'
    % ', '.join(inputs.REVIEW_SUFFIXES))

# Test-only: let code the static gate would refuse reach the confined runs,
# to prove the confinement holds on its own.  Reports say when it was set.
NO_STATIC_GATE_ENV = 'NOVA_RESIZE_CHECKS_TESTING_NO_STATIC_GATE'


def register(sub):
    rev = sub.add_parser(
        'review', help='apply the fixes code reviews claim to the '
                       'regression test, run them against real and mutated '
                       'nova and flag the ones that break or weaken it',
        description=DESCRIPTION)
    rev.add_argument('paths', nargs='+', metavar='PATH',
                     help='a review file, a directory of them, or - for '
                          'standard input')
    _output_options(rev.add_argument_group('output'))
    _run_options(rev.add_argument_group('runs'))
    _reading_options(rev.add_argument_group('reading the reviews'))
    rev.set_defaults(func=run)
    return rev


def _output_options(group):
    group.add_argument('--format',
                       choices=('text', 'json', 'junit', 'subunit', 'sarif',
                                'gerrit'),
                       default='text',
                       help='subunit: one test per review (v2 stream), '
                            'failing when the review is flagged; sarif: a '
                            'SARIF 2.1.0 log, one result per flagged review '
                            'or reviewer comment; gerrit: the ReviewInput '
                            'JSON for "gerrit review --json", one robot '
                            'comment per flagged claim (robot_run_id: '
                            '$ZUUL_BUILD, else the time)')
    group.add_argument('-v', '--verbose', action='store_true',
                       help='text format: every change with every run, and '
                            'every finding')
    group.add_argument('--explain', action='store_true',
                       help='text format: as -v, and per review what was '
                            'read, which claim became which change, where it '
                            'was anchored, and the diff of the proposed '
                            'version against the canonical test')
    group.add_argument('-q', '--quiet', action='store_true',
                       help='no progress on stderr')


def _run_options(group):
    group.add_argument('--jobs', type=int, default=None,
                       help='parallel runs (default: number of cores)')
    group.add_argument('--timeout', type=float, default=None,
                       help='seconds each run may take (default: %g times '
                            'the canonical test\'s slowest run, at least '
                            '%gs)' % (runs_pool.TIMEOUT_FACTOR,
                                      runs_pool.TIMEOUT_FLOOR))
    group.add_argument('--no-cache', action='store_true',
                       help='ignore and do not write the on-disk run cache')
    group.add_argument('--unconfined', action='store_true',
                       help='run review code without OS confinement when '
                            'this machine cannot confine it (DANGEROUS: the '
                            'code runs with your privileges; the report says '
                            'so, and nothing is cached)')


def _reading_options(group):
    group.add_argument('--reviewed', metavar='FILE|REF',
                       help='the version of the test the reviews were '
                            'written against (a file, or with --nova-git a '
                            'git ref of nova): "line N" and quoted lines are '
                            'read against it (default: every version this '
                            'tool knows)')
    group.add_argument('--nova-git', metavar='DIR',
                       help='with --reviewed REF: a nova git directory to '
                            'read the reviewed version from')
    group.add_argument('--by-author', action='store_true',
                       help='Gerrit, GitHub or SARIF comments: one review '
                            'per author instead of one per file')
    group.add_argument('--follow-symlinks', action='store_true',
                       help='follow symbolic links when walking a directory '
                            '(by default they are skipped, and said so)')


def _validate(args):
    """Every argument and path, before anything runs; raises UsageError."""
    if args.jobs is not None and args.jobs < 1:
        raise base.UsageError('--jobs must be at least 1')
    if args.timeout is not None and args.timeout < 1:
        # A run's bound is whole seconds (a fixture in the worker).
        raise base.UsageError('--timeout must be at least 1 (seconds)')
    if args.paths.count(inputs.STDIN) > 1:
        raise base.UsageError('- (standard input) can be named only once')
    try:
        reviewed = inputs.reviewed_source(args.reviewed, args.nova_git)
        collected = inputs.collect(args.paths, args.follow_symlinks)
    except inputs.InputError as exc:
        raise base.UsageError(str(exc))
    return reviewed, collected


def write(args, reports, summary, skipped=()):
    """The report in ``args.format`` on stdout.

    ``skipped``: directory entries left unread, one line each (the text
    report ends with them; the other formats hold reviews only).
    """
    from nova_resize_checks.report import document as document_mod

    doc = document_mod.to_document(
        reports, summary, env.versions(),
        explain=args.explain and args.format == 'text')
    timing = summary.get('timing')
    if args.format == 'json':
        base.emit_json(doc)
    elif args.format == 'junit':
        from nova_resize_checks.report import junit

        sys.stdout.write(junit.to_junit(doc, timing) + '\n')
    elif args.format == 'subunit':
        from nova_resize_checks.report import subunit

        sys.stdout.flush()
        sys.stdout.buffer.write(subunit.to_subunit(doc, timing))
        sys.stdout.buffer.flush()
    elif args.format == 'sarif':
        from nova_resize_checks.report import sarif

        sys.stdout.write(sarif.render(doc) + '\n')
    elif args.format == 'gerrit':
        from nova_resize_checks.report import gerrit

        sys.stdout.write(gerrit.render(doc, gerrit.run_id(os.environ)) +
                         '\n')
    else:
        from nova_resize_checks.report import review_text

        base.write_lines(sys.stdout, review_text.lines(
            doc, ['not read: %s' % line for line in skipped],
            verbose=args.verbose, explain=args.explain))


def run(args):
    reviewed, collected = _validate(args)
    # The pipeline (libcst, markdown-it...) loads only once the arguments
    # are known to be good: a usage error comes at once.
    from nova_resize_checks.review import pipeline
    from nova_resize_checks.runs import confinement

    for line in collected.skipped:
        sys.stderr.write('skipped %s\n' % line)
    jobs = args.jobs or os.cpu_count() or 1
    progress = progress_mod.Progress(sys.stderr, 'run', jobs,
                                     enabled=not args.quiet)
    options = pipeline.Options(
        jobs=args.jobs, timeout=args.timeout, use_cache=not args.no_cache,
        progress=progress,
        static_gate=os.environ.get(NO_STATIC_GATE_ENV) != '1',
        confined=not args.unconfined, reviewed=reviewed,
        by_author=args.by_author)
    try:
        reports, summary = pipeline.check(collected.reviews, options)
    except confinement.Unavailable as exc:
        raise env.EnvironmentProblem(
            'review code cannot be confined here, so none was run: %s. '
            'Pass --unconfined to run it anyway with your privileges.'
            % exc)
    finally:
        progress.close()
    write(args, reports, summary, collected.skipped)
    if any(r.internal_error for r in reports):
        # Reported with the verdicts; a failure of the tool is never a
        # pass, nor a flag the review did not earn.
        return base.EXIT_ERROR
    return base.EXIT_FOUND if any(r.flagged for r in reports) \
        else base.EXIT_OK
