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


"""Judge refs of a nova git repository straight from its objects.

Nothing is checked out: each ref's ``nova/compute/manager.py`` is read with
``git show REF:nova/compute/manager.py`` into memory and classified by
:mod:`nova_resize_checks.backport.static`.  Independently of the code, the
history says whether the fix change (Change-Id
:data:`static.FIX_CHANGE`) is in the ref: a commit carrying that Change-Id
(the master commit or any cherry-pick of it) is an ancestor of the ref.
"""

import dataclasses
import fnmatch
import os
import re
import subprocess
import typing

from packaging import version as pep440

from nova_resize_checks.backport import static

BRANCH_PREFIXES = ('stable/', 'unmaintained/')
_GIT_TIMEOUT = 300


class GitError(Exception):
    """The repository or a ref cannot be read; the message says why."""


@dataclasses.dataclass(frozen=True)
class RefResult:
    """Static verdict and history of one ref."""

    ref: str
    commit: typing.Optional[str]
    verdict: str
    shape: typing.Optional[str]
    call: typing.Optional[str]
    path: str
    line: typing.Optional[int]
    detail: str
    fix_in_history: typing.Optional[bool]
    fix_commit: typing.Optional[str]
    consistent: typing.Optional[bool]

    def to_dict(self):
        return dataclasses.asdict(self)


def _git(git_dir, *args, check=True):
    cmd = ['git', '--git-dir=%s' % git_dir] + list(args)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              timeout=_GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise GitError('git is not installed (needed to read %s)' % git_dir)
    except subprocess.TimeoutExpired:
        raise GitError('git %s did not finish within %ss'
                       % (' '.join(args), _GIT_TIMEOUT))
    if check and proc.returncode:
        message = proc.stderr.decode('utf-8', 'replace').strip()
        raise GitError('git %s: %s' % (
            ' '.join(args), message.splitlines()[-1] if message
            else 'exit status %d' % proc.returncode))
    return proc


def resolve_git_dir(path):
    """The git directory of ``path`` (a work tree or a git dir itself)."""
    if not os.path.isdir(path):
        raise GitError('%s: no such directory' % path)
    try:
        proc = subprocess.run(
            ['git', '-C', path, 'rev-parse', '--absolute-git-dir'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, timeout=60, check=False)
    except FileNotFoundError:
        raise GitError('git is not installed (needed to read %s)' % path)
    if proc.returncode:
        raise GitError('%s is not a git repository (%s)' % (
            path, proc.stderr.decode('utf-8', 'replace').strip()))
    return proc.stdout.decode('utf-8', 'replace').strip()


def branches(git_dir):
    """Every stable/* and unmaintained/* branch, local or remote-tracking.

    Names are given as git can resolve them (``stable/2025.1`` for a local
    branch, ``origin/stable/2025.1`` when only the remote-tracking one
    exists), oldest series first by name.
    """
    proc = _git(git_dir, 'for-each-ref', '--format=%(refname)',
                'refs/heads/', 'refs/remotes/')
    found = {}
    for refname in proc.stdout.decode('utf-8', 'replace').split():
        if refname.startswith('refs/heads/'):
            short = refname[len('refs/heads/'):]
            name, local = short, True
        else:
            short = refname[len('refs/remotes/'):]
            name, local = short.partition('/')[2], False
        if not name.startswith(BRANCH_PREFIXES):
            continue
        if local or name not in found:
            found[name] = short
    return [found[name] for name in sorted(found, key=_branch_key)]


def _branch_key(name):
    prefix, _sep, series = name.partition('/')
    # Old series are named (queens), newer ones numbered (2023.1): named
    # ones come first, each group alphabetical.
    return (series[:1].isdecimal(), series, prefix)


def tags(git_dir, pattern):
    """Tags matching the shell pattern, in version order."""
    proc = _git(git_dir, 'tag', '--list', '--sort=version:refname')
    names = proc.stdout.decode('utf-8', 'replace').split()
    return version_order([name for name in names
                          if fnmatch.fnmatchcase(name, pattern)])


def version_order(names):
    """``names`` with the release numbers among them in PEP 440 order.

    git's ``version:refname`` puts 16.0.0 before 16.0.0.0b1 (the longer
    name sorts later); nova's pre-releases (16.0.0.0b1, 16.0.0.0rc1,
    12.0.0a0) come before their release.  Names that are not versions
    (pike-eol, 2023.2-eol) keep the places git gave them.
    """
    parsed = {}
    for name in names:
        try:
            parsed[name] = pep440.Version(name)
        except pep440.InvalidVersion:
            pass
    ordered = iter(sorted(parsed, key=parsed.get))
    return [next(ordered) if name in parsed else name for name in names]


def change_commits(git_dir, change_id):
    """Commits in any ref whose message carries ``Change-Id: change_id``."""
    proc = _git(git_dir, 'log', '--all', '--format=%H', '-F',
                '--grep=Change-Id: %s' % change_id)
    return proc.stdout.decode('ascii', 'replace').split()


def commit_of(git_dir, ref):
    proc = _git(git_dir, 'rev-parse', '--verify', '--quiet',
                '%s^{commit}' % ref, check=False)
    if proc.returncode:
        return None
    return proc.stdout.decode('ascii').strip()


def contains(git_dir, commits, ref):
    """The first of ``commits`` that is an ancestor of ``ref``, or None."""
    for commit in commits:
        proc = _git(git_dir, 'merge-base', '--is-ancestor', commit, ref,
                    check=False)
        if proc.returncode == 0:
            return commit
    return None


def read_file(git_dir, ref, path):
    """Bytes of ``path`` at ``ref``; StaticCheckError says why not."""
    spec = '%s:%s' % (ref, path)
    proc = _git(git_dir, 'show', spec, check=False)
    if proc.returncode:
        message = proc.stderr.decode('utf-8', 'replace').strip()
        raise static.StaticCheckError('%s: %s' % (
            spec, message.splitlines()[0] if message else 'git show failed'))
    return proc.stdout


def read_manager(git_dir, ref):
    """Bytes of nova/compute/manager.py at ``ref``."""
    return read_file(git_dir, ref, static.MANAGER_PATH)


def _consistent(verdict, fix_in_history):
    """Whether the code and the history tell the same story."""
    if verdict == static.FIXED:
        # A hand-made fix without the Change-Id is possible, but rare.
        return fix_in_history
    if verdict in (static.AFFECTED, static.PREDATES):
        return not fix_in_history
    return None


def judge_refs(git_dir, refs, fix_change=static.FIX_CHANGE):
    """Return a RefResult per ref (in order).

    A ref that does not exist or has no readable manager.py gives a row
    with verdict ``error`` and the reason in ``detail``; GitError is raised
    only when the repository itself cannot be read.
    """
    fixes = change_commits(git_dir, fix_change)
    results = []
    for ref in refs:
        commit = commit_of(git_dir, ref)
        spec = '%s:%s' % (ref, static.MANAGER_PATH)
        if commit is None:
            results.append(RefResult(
                ref, None, 'error', None, None, spec, None,
                'no such ref (branch, tag or commit) in %s' % git_dir,
                None, None, None))
            continue
        fix_commit = contains(git_dir, fixes, commit)
        in_history = fix_commit is not None
        try:
            result = static.classify_source(read_manager(git_dir, commit),
                                            path=spec)
        except static.StaticCheckError as exc:
            results.append(RefResult(
                ref, commit, 'error', None, None, spec, None, str(exc),
                in_history, fix_commit, None))
            continue
        results.append(RefResult(
            ref, commit, result.verdict, result.shape, result.call, spec,
            result.line, result.detail, in_history, fix_commit,
            _consistent(result.verdict, in_history)))
    return results


def select_refs(git_dir, refs=(), all_branches=False, tag_pattern=None):
    """The refs named, then the branches, then the tags; no duplicates."""
    chosen = list(refs)
    if all_branches:
        chosen.extend(branches(git_dir))
    if tag_pattern:
        matched = tags(git_dir, tag_pattern)
        if not matched:
            raise GitError('no tag matches %r in %s' % (tag_pattern,
                                                        git_dir))
        chosen.extend(matched)
    unique = []
    for ref in chosen:
        if ref not in unique:
            unique.append(ref)
    return unique


_FROM_LINE = re.compile(r'^From ([0-9a-f]{40}) Mon Sep 17 00:00:00 2001$',
                        re.M)


def patch_commit(patch_text):
    """The commit a ``git format-patch`` file was made from, or None."""
    match = _FROM_LINE.search(patch_text)
    return match.group(1) if match else None


def _log(git_dir, *args):
    proc = _git(git_dir, 'log', '--format=%H%x09%s', *args, check=False)
    found = []
    for line in proc.stdout.decode('utf-8', 'replace').splitlines():
        commit, _tab, subject = line.partition('\t')
        if commit:
            found.append((commit, subject))
    return found


def earlier_change(git_dir, path, line=None, start=None):
    """The commit(s) that added ``path`` (or ``line`` to it), newest first.

    ``start`` is the commit the patch was made from when the repository
    has it: the history before it says exactly which change the patch
    sits on (the first commit found).  Otherwise every ref is searched
    and each commit that added the file (or changed how often ``line``
    occurs in it: master's change and its cherry-picks) is returned,
    oldest first.  An empty list when nothing is found.
    """
    what = (['-S', line] if line else ['--diff-filter=A'])
    if start and commit_of(git_dir, start + '^') is not None:
        return _log(git_dir, '-1', *what, start + '^', '--', path)
    found = _log(git_dir, '--reverse', '--all', *what, '--', path)
    if line:
        # -S also finds the commits that removed the line.
        found = [(commit, subject) for commit, subject in found
                 if _has_line(git_dir, commit, path, line)]
    return found[:5]


def _has_line(git_dir, commit, path, line):
    proc = _git(git_dir, 'show', '%s:%s' % (commit, path), check=False)
    return proc.returncode == 0 and line in proc.stdout.decode(
        'utf-8', 'replace')
