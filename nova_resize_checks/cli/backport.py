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


"""``nova-resize-checks backport``: does a nova carry the fix?"""

import os
import sys

from nova_resize_checks import children
from nova_resize_checks.cli import base
from nova_resize_checks.cli import progress as progress_mod
from nova_resize_checks import env
from nova_resize_checks.report import safe
from nova_resize_checks import reproduce as reproduce_mod

DESCRIPTION = (
    'Without --nova-git or --patch: judge a tree (or the installed nova). '
    'With --nova-git DIR: judge refs from the git objects, no checkout; '
    'a ref that does not exist is a usage error (exit 2). With --patch '
    'FILE: apply a proposed backport to a temporary copy of --nova-source '
    'DIR, of --nova-release VERSION or of --nova-git DIR --ref REF and '
    'compare before and after. '
    'Exit status of --patch: 0 fixes it, 1 does not fix it, 3 already '
    'fixed, 4 cannot tell, 2 usage or environment error.')


def register(sub):
    bp = sub.add_parser(
        'backport', help='tell whether a nova tree, git refs or a proposed '
                         'backport patch carry the fix for bug 1825537',
        description=DESCRIPTION)
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
    bp.add_argument('-q', '--quiet', action='store_true',
                    help='no progress on stderr')
    bp.set_defaults(func=run)
    return bp


class _Progress(object):
    """Scenario runs (every child that ends) and a steady heartbeat."""

    def __init__(self, args):
        self.progress = progress_mod.Progress(
            sys.stderr, 'scenario run', 1, enabled=not args.quiet)
        self._listening = children.listen(self.progress.child_done)

    def __enter__(self):
        self._listening.__enter__()
        return self.progress

    def __exit__(self, *exc):
        self._listening.__exit__(*exc)
        self.progress.close()


def _refs(args):
    from nova_resize_checks.backport import gitrefs
    from nova_resize_checks.backport import static
    from nova_resize_checks.backport import verify

    try:
        git_dir = gitrefs.resolve_git_dir(args.nova_git)
        refs = gitrefs.select_refs(git_dir, args.refs, args.branches,
                                   args.tags)
    except gitrefs.GitError as exc:
        raise base.UsageError('--nova-git: %s' % exc)
    if not refs:
        raise base.UsageError('--nova-git needs refs: name them, or use '
                              '--branches or --tags PATTERN')
    unknown = [ref for ref in args.refs
               if gitrefs.commit_of(git_dir, ref) is None]
    if unknown:
        raise base.UsageError('--nova-git: no such ref (branch, tag or '
                              'commit) in %s: %s' % (
                                  safe.path(git_dir),
                                  ', '.join(safe.line(r) for r in unknown)))
    with _Progress(args):
        try:
            rows = [row.to_dict() for row in gitrefs.judge_refs(git_dir,
                                                                refs)]
        except gitrefs.GitError as exc:
            raise env.EnvironmentProblem(str(exc))
    if args.format == 'json':
        base.emit_json({'git_dir': git_dir, 'fix_change': static.FIX_CHANGE,
                        'refs': rows})
    else:
        from nova_resize_checks.report import backport_text

        backport_text.refs_table(base.console(sys.stdout), git_dir, rows,
                                 detail=args.detail)
    bad = [row for row in rows if row['verdict'] not in verify.GOOD]
    return base.EXIT_FOUND if bad else base.EXIT_OK


def _patch(args):
    from nova_resize_checks.backport import patch as bp_patch
    from nova_resize_checks.backport import patch_input
    from nova_resize_checks.backport import release as bp_release

    trees = [name for name, value in (
        ('--nova-source', args.nova_source),
        ('--nova-release', args.nova_release),
        ('--nova-git --ref', args.nova_git and args.ref)) if value]
    if len(trees) != 1:
        raise base.UsageError(
            '--patch needs one tree: --nova-source DIR, --nova-release '
            'VERSION or --nova-git DIR with --ref REF%s' % (
                ' (not %s)' % ' and '.join(trees) if trees else ''))
    if args.ref and not args.nova_git:
        raise base.UsageError('--ref needs --nova-git DIR')
    if args.nova_release and not bp_release.VERSION.match(
            args.nova_release):
        raise base.UsageError('--nova-release %s: not a nova release '
                              'number (e.g. 19.0.1)'
                              % safe.line(args.nova_release))
    if args.refs or args.branches or args.tags:
        raise base.UsageError('--patch judges one tree: use --ref REF, not '
                              'positional refs, --branches or --tags')
    with _Progress(args):
        try:
            report = bp_patch.check_patch(
                args.patch, nova_source=args.nova_source,
                nova_git=args.nova_git, ref=args.ref,
                run=not args.static_only, timeout=args.timeout,
                python=args.python, nova_release=args.nova_release)
        except patch_input.PatchInputError as exc:
            raise base.UsageError(str(exc))
    if args.format == 'json':
        base.emit_json(report)
    else:
        from nova_resize_checks.report import backport_text

        backport_text.patch_text(base.console(sys.stdout), report)
    return report['exit_code']


def run(args):
    from nova_resize_checks.backport import static
    from nova_resize_checks.backport import verify

    if args.timeout <= 0:
        raise base.UsageError('--timeout must be positive')
    if args.patch:
        return _patch(args)
    if args.nova_git:
        if args.nova_source:
            raise base.UsageError('use --nova-source or --nova-git, not '
                                  'both')
        return _refs(args)
    if args.python or args.nova_release:
        raise base.UsageError('--python and --nova-release are for --patch')
    if args.refs or args.branches or args.tags or args.ref:
        raise base.UsageError('refs, --ref, --branches and --tags need '
                              '--nova-git DIR')
    if args.nova_source and not os.path.isdir(args.nova_source):
        raise base.UsageError('--nova-source %s: no such directory'
                              % safe.path(args.nova_source))
    with _Progress(args):
        try:
            report = verify.verify(args.nova_source,
                                   run=not args.static_only,
                                   timeout=args.timeout)
        except static.StaticCheckError as exc:
            raise env.EnvironmentProblem(str(exc))
    if args.format == 'json':
        base.emit_json(report)
    else:
        from nova_resize_checks.report import backport_text

        backport_text.backport_text(base.console(sys.stdout), report)
    return verify.exit_code(report)
