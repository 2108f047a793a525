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


"""The ``nova-resize-checks`` command: a thin layer over the library.

Exit codes: 0 all good (fixed / nothing flagged), 1 a problem was found
(affected, unexpected, flagged), 2 usage or environment error.
"""

import argparse
import contextlib
import json
import os
import sys

from nova_resize_checks import env
from nova_resize_checks import mutants
from nova_resize_checks import outcome
from nova_resize_checks import render
from nova_resize_checks import reproduce as reproduce_mod
from nova_resize_checks.runs import pool as runs_pool
from nova_resize_checks import schemas

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError('%s: %s' % (self.prog, message))


def _console(stream):
    import rich.console

    # Off a terminal (pipes, CI logs) do not wrap at 80 columns.
    width = None if stream.isatty() else 160
    return rich.console.Console(file=stream, highlight=False,
                                soft_wrap=False, width=width)


@contextlib.contextmanager
def _status(args, message):
    """A spinner on stderr for text output on a terminal."""
    if args.format != 'text' or not sys.stderr.isatty():
        yield
        return
    with _console(sys.stderr).status(message):
        yield


def _emit_json(document, concurrency=True):
    """Print a JSON document with its format version (and nova's mode)."""
    document = schemas.stamp(document)
    if concurrency:
        document.setdefault('concurrency', env.concurrency())
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write('\n')


def cmd_reproduce(args):
    with _status(args, 'Running the bug 1825537 scenario%s...'
                 % (' with mutant %s' % args.mutant if args.mutant else '')):
        report = reproduce_mod.reproduce(args.mutant, args.timeout)
    if args.format == 'json':
        _emit_json(report)
    else:
        render.reproduce_text(_console(sys.stdout), report)
    return EXIT_OK if report['verdict'] == outcome.FIXED else EXIT_FOUND


def cmd_mutants(args):
    if args.matrix:
        from nova_resize_checks import matrix as matrix_mod

        if args.timeout <= 0:
            raise UsageError('--timeout must be positive')
        with _status(args, 'Running the canonical test once per mutant...'):
            found = matrix_mod.compute(timeout=args.timeout,
                                       use_cache=not args.no_cache)
        if args.format == 'json':
            _emit_json(found.to_dict())
        else:
            for line in matrix_mod.text_lines(found):
                sys.stdout.write(line + '\n')
        return EXIT_FOUND if found.uncaught() else EXIT_OK
    if args.format == 'json':
        _emit_json({'mutants': [
            {'name': m.name, 'summary': m.summary, 'source': m.source,
             'dest': m.dest} for m in mutants.MUTANTS.values()]},
            concurrency=False)
    else:
        render.mutants_text(_console(sys.stdout), mutants.MUTANTS.values())
    return EXIT_OK


class _ReviewProgress(object):
    """Progress for the review command, on stderr only.

    A rich bar on a terminal, short lines otherwise; stdout stays
    machine-readable.
    """

    def __init__(self, enabled):
        self.enabled = enabled
        self.bar = None
        self.task = None
        self.prepared = 0

    def __call__(self, event, **kw):
        if not self.enabled:
            return
        if event == 'prepared':
            self.prepared += 1
        elif event == 'plan':
            sys.stderr.write('%d run(s) to do, %d answered from cache\n'
                             % (kw['total'], kw['cached']))
            if not kw['total'] or not sys.stderr.isatty():
                return
            if self.bar is None:
                import rich.progress

                self.bar = rich.progress.Progress(
                    *rich.progress.Progress.get_default_columns(),
                    rich.progress.TextColumn('{task.fields[last]}'),
                    console=_console(sys.stderr), transient=True)
                self.task = self.bar.add_task('running', total=0, last='')
                self.bar.start()
            self.bar.update(self.task, total=self.bar.tasks[0].total +
                            kw['total'])
        elif event == 'done':
            text = '%s vs %s: %s' % (kw['version'], kw['variant'],
                                     kw['outcome'])
            if self.bar is not None:
                self.bar.update(self.task, advance=1, last=text)
            else:
                sys.stderr.write('  %s\n' % text)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


# Test-only: let code the static gate would refuse reach the confined runs,
# to prove the confinement holds on its own.  Reports say when it was set.
NO_STATIC_GATE_ENV = 'NOVA_RESIZE_CHECKS_TESTING_NO_STATIC_GATE'


def _reviewed_source(args):
    """The text of the version named by --reviewed, or None."""
    if args.nova_git and not args.reviewed:
        raise UsageError('--nova-git needs --reviewed REF')
    if not args.reviewed:
        return None
    if args.nova_git:
        from nova_resize_checks.backport import gitrefs
        from nova_resize_checks.backport import static
        from nova_resize_checks import canonical

        try:
            data = gitrefs.read_file(
                gitrefs.resolve_git_dir(args.nova_git), args.reviewed,
                canonical.UPSTREAM_PATH)
        except (gitrefs.GitError, static.StaticCheckError) as exc:
            raise UsageError('--reviewed %s: %s' % (args.reviewed, exc))
    else:
        try:
            with open(args.reviewed, 'rb') as f:
                data = f.read(4 * 1024 * 1024 + 1)
        except OSError as exc:
            raise UsageError('--reviewed %s: %s' % (
                args.reviewed, exc.strerror or exc))
        if len(data) > 4 * 1024 * 1024:
            raise UsageError('--reviewed %s: larger than 4 MiB, not a '
                             'version of the test' % args.reviewed)
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        raise UsageError('--reviewed %s: not UTF-8 text' % args.reviewed)


def cmd_review(args):
    from nova_resize_checks.review import check
    from nova_resize_checks.review import report
    from nova_resize_checks.runs import confinement

    if args.jobs is not None and args.jobs < 1:
        raise UsageError('--jobs must be at least 1')
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError('--timeout must be positive')
    reviewed = _reviewed_source(args)
    progress = _ReviewProgress(args.format == 'text')
    try:
        reports, summary = check.check(
            args.paths, jobs=args.jobs, timeout=args.timeout,
            use_cache=not args.no_cache, progress=progress,
            static_gate=os.environ.get(NO_STATIC_GATE_ENV) != '1',
            confined=not args.unconfined, reviewed=reviewed)
    except confinement.Unavailable as exc:
        raise env.EnvironmentProblem(
            'review code cannot be confined here, so none was run: %s. '
            'Pass --unconfined to run it anyway with your privileges.'
            % exc)
    finally:
        progress.close()
    if not reports and summary['problems']:
        raise UsageError('; '.join(summary['problems']))
    if args.format == 'json':
        _emit_json(report.to_document(reports, summary, env.versions()))
    elif args.format == 'junit':
        sys.stdout.write(report.to_junit(reports, summary) + '\n')
    elif args.format == 'subunit':
        from nova_resize_checks.review import subunit_report

        sys.stdout.flush()
        sys.stdout.buffer.write(subunit_report.to_subunit(
            report.to_document(reports, summary, env.versions())))
        sys.stdout.buffer.flush()
    else:
        render.review_text(_console(sys.stdout), reports, summary,
                           explain=args.explain)
    flagged = any(r.flagged for r in reports)
    return EXIT_FOUND if flagged or summary['problems'] else EXIT_OK


def _backport_refs(args, gitrefs):
    from nova_resize_checks.backport import render as bp_render
    from nova_resize_checks.backport import static
    from nova_resize_checks.backport import verify

    try:
        git_dir = gitrefs.resolve_git_dir(args.nova_git)
        refs = gitrefs.select_refs(git_dir, args.refs, args.branches,
                                   args.tags)
    except gitrefs.GitError as exc:
        raise UsageError('--nova-git: %s' % exc)
    if not refs:
        raise UsageError('--nova-git needs refs: name them, or use '
                         '--branches or --tags PATTERN')
    with _status(args, 'Reading %d ref(s) of %s...' % (len(refs), git_dir)):
        try:
            rows = [row.to_dict() for row in gitrefs.judge_refs(git_dir,
                                                                refs)]
        except gitrefs.GitError as exc:
            raise env.EnvironmentProblem(str(exc))
    if args.format == 'json':
        _emit_json({'git_dir': git_dir, 'fix_change': static.FIX_CHANGE,
                    'refs': rows})
    else:
        bp_render.refs_table(_console(sys.stdout), git_dir, rows,
                             detail=args.detail)
    bad = [row for row in rows if row['verdict'] not in verify.GOOD]
    return EXIT_FOUND if bad else EXIT_OK


def _backport_patch(args):
    from nova_resize_checks.backport import patch as bp_patch
    from nova_resize_checks.backport import release as bp_release
    from nova_resize_checks.backport import render as bp_render

    trees = [name for name, value in (
        ('--nova-source', args.nova_source),
        ('--nova-release', args.nova_release),
        ('--nova-git --ref', args.nova_git and args.ref)) if value]
    if len(trees) != 1:
        raise UsageError('--patch needs one tree: --nova-source DIR, '
                         '--nova-release VERSION or --nova-git DIR with '
                         '--ref REF%s' % (' (not %s)' % ' and '.join(trees)
                                          if trees else ''))
    if args.ref and not args.nova_git:
        raise UsageError('--ref needs --nova-git DIR')
    if args.nova_release and not bp_release.VERSION.match(
            args.nova_release):
        raise UsageError('--nova-release %s: not a nova release number '
                         '(e.g. 19.0.1)' % args.nova_release)
    if args.refs or args.branches or args.tags:
        raise UsageError('--patch judges one tree: use --ref REF, not '
                         'positional refs, --branches or --tags')
    with _status(args, 'Trying %s...' % args.patch):
        try:
            report = bp_patch.check_patch(
                args.patch, nova_source=args.nova_source,
                nova_git=args.nova_git, ref=args.ref,
                run=not args.static_only, timeout=args.timeout,
                python=args.python, nova_release=args.nova_release)
        except bp_patch.PatchInputError as exc:
            raise UsageError(str(exc))
    if args.format == 'json':
        _emit_json(report)
    else:
        bp_render.patch_text(_console(sys.stdout), report)
    return report['exit_code']


def cmd_backport(args):
    from nova_resize_checks.backport import gitrefs
    from nova_resize_checks.backport import static
    from nova_resize_checks.backport import verify

    if args.patch:
        return _backport_patch(args)
    if args.nova_git:
        if args.nova_source:
            raise UsageError('use --nova-source or --nova-git, not both')
        return _backport_refs(args, gitrefs)
    if args.python or args.nova_release:
        raise UsageError('--python and --nova-release are for --patch')
    if args.refs or args.branches or args.tags or args.ref:
        raise UsageError('refs, --ref, --branches and --tags need '
                         '--nova-git DIR')
    if args.nova_source and not os.path.isdir(args.nova_source):
        raise UsageError('--nova-source %s: no such directory'
                         % args.nova_source)
    with _status(args, 'Judging %s...' % (args.nova_source or
                                          'the installed nova')):
        try:
            report = verify.verify(args.nova_source,
                                   run=not args.static_only,
                                   timeout=args.timeout)
        except static.StaticCheckError as exc:
            raise env.EnvironmentProblem(str(exc))
    if args.format == 'json':
        _emit_json(report)
    else:
        render.backport_text(_console(sys.stdout), report)
    return verify.exit_code(report)


def build_parser():
    parser = _Parser(
        prog='nova-resize-checks',
        description='Checks for nova bug 1825537: allocations after a '
                    'failed finish_resize.')
    sub = parser.add_subparsers(dest='command', parser_class=_Parser)

    rep = sub.add_parser(
        'reproduce', help='run the scenario once against the installed '
                          'nova and classify what placement holds')
    rep.add_argument('--mutant', choices=list(mutants.MUTANTS),
                     help='apply a named nova mutant for this run')
    rep.add_argument('--format', choices=('text', 'json'), default='text')
    rep.add_argument('--timeout', type=float,
                     default=reproduce_mod.DEFAULT_TIMEOUT,
                     help='seconds before the run is abandoned '
                          '(default %(default)s)')
    rep.set_defaults(func=cmd_reproduce)

    rev = sub.add_parser(
        'review', help='apply the fixes code reviews claim to the '
                       'regression test, run them against real and mutated '
                       'nova and flag the ones that break or weaken it')
    rev.add_argument('paths', nargs='+', metavar='PATH',
                     help='a review file, or a directory of them')
    rev.add_argument('--format',
                     choices=('text', 'json', 'junit', 'subunit'),
                     default='text',
                     help='subunit: one test per review (v2 stream), '
                          'failing when the review is flagged')
    rev.add_argument('--jobs', type=int, default=None,
                     help='parallel runs (default: number of cores)')
    rev.add_argument('--timeout', type=float, default=None,
                     help='seconds each run may take (default: %g times '
                          'the canonical test\'s slowest run, at least '
                          '%gs)' % (runs_pool.TIMEOUT_FACTOR,
                                    runs_pool.TIMEOUT_FLOOR))
    rev.add_argument('--no-cache', action='store_true',
                     help='ignore and do not write the on-disk run cache')
    rev.add_argument('--explain', action='store_true',
                     help='text format: show per review what was read, '
                          'which claim became which change, where it was '
                          'anchored, and the diff of the proposed version '
                          'against the canonical test')
    rev.add_argument('--reviewed', metavar='FILE|REF',
                     help='the version of the test the reviews were '
                          'written against (a file, or with --nova-git a '
                          'git ref of nova): "line N" and quoted lines are '
                          'read against it (default: every version this '
                          'tool knows)')
    rev.add_argument('--nova-git', metavar='DIR',
                     help='with --reviewed REF: a nova git directory to '
                          'read the reviewed version from')
    rev.add_argument('--unconfined', action='store_true',
                     help='run review code without OS confinement when '
                          'this machine cannot confine it (DANGEROUS: the '
                          'code runs with your privileges; the report says '
                          'so, and nothing is cached)')
    rev.set_defaults(func=cmd_review)

    bp = sub.add_parser(
        'backport', help='tell whether a nova tree, git refs or a proposed '
                         'backport patch carry the fix for bug 1825537',
        description='Without --nova-git or --patch: judge a tree (or the '
                    'installed nova). With --nova-git DIR: judge refs from '
                    'the git objects, no checkout. With --patch FILE: '
                    'apply a proposed backport to a temporary copy of '
                    '--nova-source DIR or of --nova-git DIR --ref REF and '
                    'compare before and after. Exit status of --patch: '
                    '0 fixes it, 1 does not fix it, 3 already fixed, '
                    '4 cannot tell, 2 usage or environment error.')
    bp.add_argument('--nova-source', metavar='PATH',
                    help='a nova git checkout or unpacked source tree; '
                         'default: the installed nova')
    bp.add_argument('--nova-git', metavar='DIR',
                    help='a nova git repository (work tree or git dir); '
                         'refs are read with "git show", nothing is '
                         'checked out')
    bp.add_argument('refs', nargs='*', metavar='REF',
                    help='branches, tags or commits of --nova-git')
    bp.add_argument('--branches', action='store_true',
                    help='with --nova-git: every stable/* and '
                         'unmaintained/* branch')
    bp.add_argument('--tags', metavar='PATTERN',
                    help='with --nova-git: tags matching a shell pattern, '
                         'e.g. "19.0.*"')
    bp.add_argument('--detail', action='store_true',
                    help='with --nova-git: print why each ref got its '
                         'verdict')
    bp.add_argument('--patch', metavar='FILE',
                    help='a proposed backport (git format-patch output or '
                         'a plain unified diff) to try on a temporary copy')
    bp.add_argument('--ref', metavar='REF',
                    help='with --patch and --nova-git: the ref to apply '
                         'the patch to')
    bp.add_argument('--nova-release', metavar='VERSION',
                    help='with --patch: the tree is that nova release\'s '
                         'source from PyPI (pip download --no-binary '
                         ':all:, cached under $XDG_CACHE_HOME); with '
                         '--nova-git DIR as well, DIR is only the history '
                         'to look for changes the patch depends on')
    bp.add_argument('--python', metavar='PATH',
                    help='with --patch: run the scenario with this '
                         'interpreter, whose nova must be the tree\'s '
                         'version (e.g. .tox/matrix-stein-19.0.1/bin/python '
                         'for nova 19.0.1)')
    bp.add_argument('--format', choices=('text', 'json'), default='text')
    bp.add_argument('--static-only', action='store_true',
                    help='do not run the scenario')
    bp.add_argument('--timeout', type=float,
                    default=reproduce_mod.DEFAULT_TIMEOUT,
                    help='seconds the scenario may take (default '
                         '%(default)s)')
    bp.set_defaults(func=cmd_backport)

    mut = sub.add_parser('mutants', help='list the named nova mutants, or '
                                         'with --matrix which assertions '
                                         'of the canonical test catch them')
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
    mut.set_defaults(func=cmd_mutants)
    return parser


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, 'func', None):
            raise UsageError('a command is required: %s'
                             % ', '.join(sorted(
                                 parser._subparsers._group_actions[0]
                                 .choices)))
        return args.func(args)
    except UsageError as exc:
        sys.stderr.write('%s\n' % exc)
        sys.stderr.write('Try "nova-resize-checks --help".\n')
        return EXIT_ERROR
    except env.EnvironmentProblem as exc:
        sys.stderr.write('nova-resize-checks: environment problem: %s\n'
                         % exc)
        return EXIT_ERROR
    except reproduce_mod.ScenarioError as exc:
        sys.stderr.write('nova-resize-checks: %s\n' % exc)
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write('nova-resize-checks: interrupted\n')
        return 130


if __name__ == '__main__':
    sys.exit(main())
