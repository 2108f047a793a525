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


"""Try a proposed backport of the bug 1825537 fix on a temporary copy.

The target is a nova source tree (copied) or a ref of a nova git
repository (exported with ``git archive``); the user's tree is never
written.  The patch (``git format-patch`` output or a plain unified diff)
is applied to a second copy with ``git apply``, trying ``-p1`` then
``-p0`` and then with less context.  Every hunk is then located
(:mod:`hunks`): one that needed less context than plain ``git apply``
takes, or landed outside the function it was meant for, means the copy
after the patch is not judged (``cannot-tell``, or ``already-fixed`` for
a tree that had the fix).  Otherwise the two copies are judged:

* statically (:mod:`static`) before and after;
* dynamically, the scenario run against each copy, when the nova installed
  here is the same version as the tree (the copy goes first on the child's
  ``PYTHONPATH``, so its ``nova`` package replaces the installed one while
  nova's dependencies stay those installed).  Otherwise the report says why
  it was not run.

Outcomes and exit codes (:data:`EXIT_CODES`): ``fixes`` (0) the tree was
affected and is fixed after the patch; ``does-not-fix`` (1) it was affected
and still is, or the patch breaks a fixed tree; ``already-fixed`` (3) the
tree had the fix (or predates the regression) before the patch;
``cannot-tell`` (4) the patch does not apply or the evidence is missing or
contradictory.  2 stays the CLI's usage/environment error.
"""

import json
import os
import shutil
import subprocess
import tempfile

from nova_resize_checks.backport import gitrefs
from nova_resize_checks.backport import hunks
from nova_resize_checks.backport import release
from nova_resize_checks.backport import static
from nova_resize_checks.backport import versions
from nova_resize_checks import env
from nova_resize_checks import outcome
from nova_resize_checks import reproduce

FIXES = 'fixes'
DOES_NOT_FIX = 'does-not-fix'
ALREADY_FIXED = 'already-fixed'
CANNOT_TELL = 'cannot-tell'
EXIT_CODES = {FIXES: 0, DOES_NOT_FIX: 1, ALREADY_FIXED: 3, CANNOT_TELL: 4}

GOOD = (static.FIXED, static.PREDATES)
_DYNAMIC = {outcome.FIXED: static.FIXED, outcome.AFFECTED: static.AFFECTED,
            outcome.UNEXPECTED: static.UNKNOWN}
# Directories never copied from a source tree.
_SKIP_DIRS = ('.git', '.tox', '.stestr', '__pycache__', '.eggs', 'build',
              'dist', 'cover')
_MAX_PATCH = 5 * 1024 * 1024


class PatchInputError(Exception):
    """The patch or the target cannot be used; the message says why."""


def read_patch(path):
    """(text, format, files) of a patch file; PatchInputError if none."""
    import unidiff

    try:
        if os.path.getsize(path) > _MAX_PATCH:
            raise PatchInputError('%s: larger than %d bytes' % (
                path, _MAX_PATCH))
        with open(path, 'rb') as handle:
            data = handle.read()
    except OSError as exc:
        raise PatchInputError('%s: cannot read: %s' % (
            path, exc.strerror or exc))
    text = data.decode('utf-8', 'replace')
    kind = ('git format-patch' if text.startswith('From ') and
            '\nSubject:' in text else 'unified diff')
    try:
        patch_set = unidiff.PatchSet(text)
    except unidiff.UnidiffParseError as exc:
        raise PatchInputError('%s: not a unified diff: %s' % (path, exc))
    files = [item.path for item in patch_set]
    if not files:
        raise PatchInputError('%s: no file changes found (expected a git '
                              'format-patch file or a unified diff)' % path)
    return text, kind, files


def _copy_tree(source, destination):
    def ignore(_directory, names):
        return [name for name in names if name in _SKIP_DIRS or
                name.endswith('.pyc')]
    shutil.copytree(source, destination, symlinks=True, ignore=ignore)


def _patch_paths(text):
    """Every path a patch names, with and without its a/ b/ prefix."""
    import unidiff

    paths = []
    for patched_file in unidiff.PatchSet(text):
        for name in (patched_file.source_file, patched_file.target_file):
            if name and name != '/dev/null':
                paths.extend([name, name.split('/', 1)[-1]])
    return paths


def _copy_files(source, destination, paths):
    """Copy the files of ``source`` named by ``paths`` (if there)."""
    root = os.path.realpath(source)
    os.makedirs(destination, exist_ok=True)
    for path in paths:
        origin = os.path.realpath(os.path.join(root, path))
        if not origin.startswith(root + os.sep) or not os.path.isfile(
                origin):
            continue
        copy = os.path.join(destination, os.path.relpath(origin, root))
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copy2(origin, copy)


def _export_ref(git_dir, ref, destination):
    commit = gitrefs.commit_of(git_dir, ref)
    if commit is None:
        raise PatchInputError('--ref %s: no such ref in %s' % (ref, git_dir))
    os.makedirs(destination)
    archive = subprocess.Popen(
        ['git', '--git-dir=%s' % git_dir, 'archive', '--format=tar', commit],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    untar = subprocess.run(['tar', '-x', '-C', destination],
                           stdin=archive.stdout, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
    archive.stdout.close()
    err = archive.stderr.read().decode('utf-8', 'replace')
    archive.stderr.close()
    if archive.wait() or untar.returncode:
        raise PatchInputError('cannot export %s from %s: %s%s' % (
            ref, git_dir, err.strip(),
            untar.stderr.decode('utf-8', 'replace').strip()))
    return commit


def _ref_version(git_dir, commit):
    return versions.describe(['--git-dir=%s' % git_dir], commit)


# Ladder of git apply options, strictest first.
_APPLY_LADDER = (['-p1'], ['-p0'], ['-p1', '-C1'], ['-p0', '-C1'])


def apply_patch(tree, patch_path, ladder=_APPLY_LADDER):
    """Apply with the first rung of the ladder that works; (options, log).

    Raises PatchInputError with git's messages, one readable line per
    rung, when no rung applies.  Where the hunks landed is for
    :func:`hunks.locate` to say.
    """
    messages = []
    for options in ladder:
        cmd = ['git', 'apply', '--whitespace=nowarn'] + options
        check = subprocess.run(cmd + ['--check', patch_path], cwd=tree,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, check=False)
        if check.returncode:
            messages.append((' '.join(options), hunks.git_errors(
                check.stderr.decode('utf-8', 'replace'))))
            continue
        done = subprocess.run(cmd + [patch_path], cwd=tree,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        if done.returncode == 0:
            return options
        messages.append((' '.join(options), hunks.git_errors(
            done.stderr.decode('utf-8', 'replace'))))
    raise PatchInputError(_rung_errors(messages))


def _rung_errors(messages):
    """One line for the rungs that failed, rungs with one error together.

    ``git apply -p1, -p1 -C1: patch failed: ...; git apply -p0, -p0 -C1:
    ...``: less context seldom changes git's message, so each is said
    once.
    """
    grouped = {}
    for options, error in messages:
        grouped.setdefault(error, []).append(options)
    return '; '.join('git apply %s: %s' % (', '.join(options), error)
                     for error, options in grouped.items())


def _write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, 'w', encoding='utf-8', errors='surrogateescape',
              newline='') as handle:
        handle.write(text)
    return path


def _strip_option(parts):
    """-p1 when the patch's paths carry a/ and b/ prefixes, else -p0."""
    import unidiff

    for _path, _kind, text in parts:
        for patched_file in unidiff.PatchSet(text):
            if not (patched_file.source_file.startswith(('a/', '/dev/null'))
                    and patched_file.target_file.startswith(
                        ('b/', '/dev/null'))):
                return ['-p0']
    return ['-p1']


def apply_backport(tree, patch_path, text, scratch):
    """Apply a backport the way a maintainer carries one; what happened.

    The whole patch is tried first (``-p1``, then ``-p0``).  If it does
    not apply and it touches files that are not nova's code (tests, docs,
    release notes), nova's code is applied on its own (the whole ladder,
    :func:`apply_patch`) and each other file after it, on its own with
    the same path option and full context.  Returns (options, applied
    text, [(path, kind, git's error)] of the files that did not apply).
    Raises PatchInputError when nova's code does not apply.
    """
    parts = hunks.split(text)
    others = [part for part in parts if part[1] != hunks.CODE]
    if not others:
        return apply_patch(tree, patch_path), text, []
    try:
        return apply_patch(tree, patch_path, _APPLY_LADDER[:2]), text, []
    except PatchInputError:
        pass
    code = ''.join(part[2] for part in parts if part[1] == hunks.CODE)
    if code:
        options = apply_patch(tree, _write(scratch, 'code.patch', code))
    else:
        options = _strip_option(parts)
    applied = [code] if code else []
    failed = []
    for number, (path, kind, part) in enumerate(others):
        single = _write(scratch, 'other-%d.patch' % number, part)
        proc = subprocess.run(
            ['git', 'apply', '--whitespace=nowarn'] + options + [single],
            cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            check=False)
        if proc.returncode:
            failed.append((path, kind, hunks.git_errors(
                proc.stderr.decode('utf-8', 'replace'))))
        else:
            applied.append(part)
    return options, ''.join(applied), failed


def _earlier_change(git_dirs, path, line, start):
    for git_dir in git_dirs:
        found = gitrefs.earlier_change(git_dir, path, line, start)
        if found:
            return found
    return []


def not_applied(tree, failed, text, options, git_dirs):
    """A record per file that did not apply, with the likely cause.

    A file missing from the tree means the patch sits on an earlier change
    that added it (for upstream's regression test, the change that
    recreated the bug); a file whose lines are not there means an earlier
    change to it.  With a git repository (``git_dirs``) that change is
    looked for in its history: before the commit the patch was made from
    when the repository has it, else in every ref.
    """
    start = gitrefs.patch_commit(text)
    strip = 0 if '-p0' in options else 1
    parts = {path: part for path, _kind, part in hunks.split(text)}
    records = []
    for path, kind, error in failed:
        record = {'file': path, 'kind': kind, 'error': error,
                  'file_missing': not os.path.exists(os.path.join(tree,
                                                                  path)),
                  'line': None, 'earlier_change': []}
        if record['file_missing']:
            cause = ('the file is not in the tree: the patch depends on '
                     'an earlier change that adds it')
        else:
            lines = hunks.missing_lines(tree, parts[path], strip)
            record['line'] = lines[0] if lines else None
            cause = ('lines the patch expects in the file are not '
                     'there%s: the patch depends on an earlier change to it'
                     % (' (e.g. "%s")' % lines[0] if lines else ''))
        if git_dirs and (record['file_missing'] or record['line']):
            found = _earlier_change(git_dirs, path, record['line'], start)
            record['earlier_change'] = [
                {'commit': commit, 'subject': subject}
                for commit, subject in found]
            if found:
                cause += ', %s' % ', '.join(
                    '%s "%s"' % (commit[:10], subject)
                    for commit, subject in found)
                if len(found) > 1:
                    cause += ' (one of these, in nova\'s history)'
                else:
                    cause += ' (in nova\'s history)'
            else:
                cause += ' (none found in nova\'s history)'
        elif not git_dirs:
            cause += ' (give --nova-git DIR to look for it in nova\'s ' \
                'history)'
        record['cause'] = cause
        records.append(record)
    return records


def _not_applied_note(records):
    return ('; not applied (%s, not nova\'s code, so not part of the '
            'verdict): %s' % (
                ', '.join(sorted({record['kind'] + 's' for record in
                                  records})),
                ', '.join(record['file'] for record in records)))


def _source_git_dirs(source):
    """The repository a --nova-source tree is in, if any (for blobs)."""
    proc = subprocess.run(['git', '-C', source, 'rev-parse',
                           '--absolute-git-dir'], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False)
    if proc.returncode:
        return []
    return [proc.stdout.decode('utf-8', 'replace').strip()]


def placement(before_tree, after_tree, text, options, git_dirs):
    """(hunk records, reason) after a patch applied; reason None if fine.

    The reason names every hunk of nova's code that landed where plain
    ``git apply`` would not have put it or outside the function it was
    meant for (hunks to tests, docs and release notes are only reported).
    """
    try:
        records = hunks.locate(before_tree, after_tree, text, options,
                               git_dirs)
    except hunks.LocateError as exc:
        return [], ('git apply %s applied it, but where its hunks landed '
                    'cannot be told: %s' % (' '.join(options), exc))
    # Only nova's code decides: a misplaced test hunk is reported in its
    # record but leaves the tree judged.
    wrong = hunks.misplaced([record for record in records
                             if hunks.file_kind(record['file']) ==
                             hunks.CODE])
    if wrong:
        return records, ('git apply %s applied it, but not where it was '
                         'meant to go: %s' % (' '.join(options), wrong))
    return records, None


def _static(tree):
    """Static verdict of a temporary copy, paths relative to the copy."""
    try:
        result = static.classify_tree(tree).to_dict()
    except static.StaticCheckError as exc:
        return {'verdict': static.UNKNOWN,
                'error': str(exc).replace(tree + os.sep, '')}
    result['path'] = os.path.relpath(result['path'], tree)
    result['detail'] = result['detail'].replace(tree + os.sep, '')
    return result


def _legacy_script():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'legacy_scenario.py')


def _child_env(tree):
    environ = dict(os.environ)
    environ['PYTHONPATH'] = os.pathsep.join(
        [tree] + ([environ['PYTHONPATH']] if environ.get('PYTHONPATH')
                  else []))
    return environ


def interpreter_nova(python):
    """The nova version installed for another interpreter, or None."""
    try:
        proc = subprocess.run([python, _legacy_script(), '--versions'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=120,
                              check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PatchInputError('--python %s: cannot run it: %s'
                              % (python, exc))
    try:
        return json.loads(proc.stdout.decode('utf-8', 'replace'))['nova']
    except (ValueError, KeyError):
        raise PatchInputError('--python %s: cannot tell its nova version: '
                              '%s' % (python, proc.stderr.decode(
                                  'utf-8', 'replace').strip()[-500:]))


def _dynamic_report(document):
    observation = document['observation']
    verdict, reasons = outcome.classify(observation)
    return {'run': True, 'verdict': _DYNAMIC[verdict], 'outcome': verdict,
            'reason': '; '.join(reasons) or
            'placement holds the fixed outcome',
            'usage': outcome.usage_summary(observation),
            'seconds': document['seconds']}


def _run_legacy(tree, timeout, python):
    with tempfile.TemporaryDirectory(prefix='nrc-legacy-') as tmp:
        output = os.path.join(tmp, 'observation.json')
        try:
            proc = subprocess.run(
                [python, _legacy_script(), '--output', output],
                env=_child_env(tree), cwd=tmp, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {'run': True, 'verdict': static.UNKNOWN,
                    'reason': 'the scenario did not finish within %ss'
                              % timeout}
        except OSError as exc:
            return {'run': False, 'verdict': None,
                    'reason': 'not run: cannot start %s: %s' % (python, exc)}
        if not os.path.exists(output):
            return {'run': True, 'verdict': static.UNKNOWN,
                    'reason': 'the scenario wrote no result (exit %s): %s'
                              % (proc.returncode, proc.stderr.decode(
                                  'utf-8', 'replace')[-2000:])}
        with open(output) as handle:
            document = json.load(handle)
    if 'observation' not in document:
        return {'run': True, 'verdict': static.UNKNOWN,
                'reason': 'the scenario failed: %s'
                          % document.get('scenario_error', '')[-2000:]}
    return _dynamic_report(document)


def run_scenario(tree, timeout, python=None):
    """Run the scenario with ``tree``'s nova package; the dynamic report.

    The one place patch mode starts the scenario: the child gets ``tree``
    first on PYTHONPATH so ``import nova`` finds the copy.  With
    ``python`` (another environment's interpreter, e.g. a matrix
    environment of an old release) the matrix's scenario script runs
    there; otherwise the package's scenario runs here.
    """
    if python:
        return _run_legacy(tree, timeout, python)
    saved = os.environ.get('PYTHONPATH')
    os.environ['PYTHONPATH'] = os.pathsep.join(
        [tree] + ([saved] if saved else []))
    try:
        report = reproduce.reproduce(timeout=timeout)
    except env.EnvironmentProblem as exc:
        return {'run': False, 'verdict': None, 'reason': 'not run: %s' % exc}
    except reproduce.ScenarioError as exc:
        return {'run': True, 'verdict': static.UNKNOWN,
                'reason': 'the scenario failed: %s' % str(exc)[-2000:]}
    finally:
        if saved is None:
            os.environ.pop('PYTHONPATH', None)
        else:
            os.environ['PYTHONPATH'] = saved
    return {'run': True, 'verdict': _DYNAMIC[report['verdict']],
            'outcome': report['verdict'],
            'reason': '; '.join(report['reasons']) or
            'placement holds the fixed outcome',
            'usage': report['usage'], 'seconds': report['seconds']}


def _why_not_dynamic(version, installed, where='here'):
    if installed is None:
        return 'not run: no nova is installed %s (%s)' % (where,
                                                          env.INSTALL_HINT)
    if not version:
        return ('not run: the version of the tree is unknown, so it cannot '
                'be matched with the nova %s installed %s'
                % (installed, where))
    # A branch tip (19.0.1-5-geaa1fc6159) runs with the environment of
    # the release it descends from.
    base = versions.release_of(version)[0]
    if base != installed:
        matrix = release.matrix_env(base)
        return ('not run: the tree is nova %s but the nova installed %s '
                'is %s, and nova %s needs its own dependencies (run this '
                'command where nova %s is installed, or name such an '
                'environment\'s interpreter with --python, e.g. %s)' % (
                    version, where, installed, base, base,
                    '.tox/%s/bin/python, made by "tox -e %s" (%s)' % (
                        matrix, matrix, release.MATRIX_NOTE) if matrix else
                    'a "tox -e matrix-..." environment\'s'))
    return None


def _combined(static_result, dynamic):
    """(verdict, note) from the static and dynamic evidence of one tree."""
    verdict = static_result['verdict']
    dyn = dynamic.get('verdict') if dynamic.get('run') else None
    if dynamic.get('run') and 'outcome' not in dynamic:
        return static.UNKNOWN, 'the scenario gave no outcome: %s' % (
            dynamic['reason'])
    if dyn and dyn != verdict and not (verdict == static.PREDATES and
                                       dyn == static.FIXED):
        return static.UNKNOWN, ('static analysis says %s but the scenario '
                                'says %s (%s)' % (verdict, dyn,
                                                  dynamic['reason']))
    if verdict == static.UNKNOWN:
        return verdict, (static_result.get('detail') or
                         static_result.get('error'))
    return verdict, None


def decide(before, after, applied_error=None, dynamic_after=None,
           misplaced=False):
    """(outcome, reason) from the combined verdicts before and after.

    ``dynamic_after`` is the scenario's report after the patch: when it
    observed an outcome that is not the fixed one on a tree that was
    affected, the patch does not fix it whatever the static check says.
    ``misplaced`` says ``applied_error`` is about hunks that applied in
    the wrong place: that tree after the patch is not judged at all.
    """
    b_verdict, b_note = before
    if applied_error is not None:
        what = ('does not apply where it is meant to' if misplaced
                else 'does not apply')
        if b_verdict in GOOD:
            return ALREADY_FIXED, (
                'the tree is already %s (so the patch was not needed); the '
                'patch %s: %s' % (b_verdict, what, applied_error))
        return CANNOT_TELL, 'the patch %s: %s' % (what, applied_error)
    a_verdict, a_note = after
    observed = (dynamic_after or {}).get('outcome')
    if (b_verdict == static.AFFECTED and observed and
            observed != outcome.FIXED):
        reason = ('the scenario after the patch does not give the fixed '
                  'outcome: %s' % dynamic_after['reason'])
        if a_note:
            reason += '. Static check: %s' % a_note
        return DOES_NOT_FIX, reason
    if b_verdict == static.UNKNOWN:
        return CANNOT_TELL, 'cannot judge the tree before the patch: %s' % (
            b_note or 'no known shape on the failure path')
    if b_verdict in GOOD:
        if a_verdict in GOOD:
            return ALREADY_FIXED, (
                'the tree was already %s before the patch and still is'
                % b_verdict)
        return DOES_NOT_FIX, (
            'the tree was %s before the patch, which makes it %s%s' % (
                b_verdict, a_verdict, ': %s' % a_note if a_note else ''))
    if a_verdict == static.UNKNOWN:
        return CANNOT_TELL, 'cannot judge the tree after the patch: %s' % (
            a_note or 'no known shape on the failure path')
    if a_verdict == static.FIXED:
        return FIXES, 'affected before the patch, fixed after it'
    if a_verdict == static.PREDATES:
        return DOES_NOT_FIX, (
            'after the patch the failure path no longer touches '
            'allocations at all, which leaks the source allocation instead '
            'of dropping it')
    return DOES_NOT_FIX, 'affected before the patch and still affected after'


def _release(nova_release):
    try:
        return release.release_tree(nova_release)
    except release.ReleaseError as exc:
        raise PatchInputError('--nova-release %s: %s' % (nova_release, exc))


def check_patch(patch_path, nova_source=None, nova_git=None, ref=None,
                run=True, timeout=reproduce.DEFAULT_TIMEOUT, python=None,
                nova_release=None):
    """Judge a proposed backport; return the report dict.

    The tree is ``nova_source`` (a directory), ``nova_release`` (a
    release number: its sdist from PyPI, cached) or ``ref`` of
    ``nova_git``; with ``nova_source`` or ``nova_release``, ``nova_git``
    is only the history to look for the changes a patch depends on.
    ``python`` names another environment's interpreter to run the
    scenario with (its nova must be the tree's version).  Raises
    PatchInputError for a patch or target that cannot be used.
    """
    text, kind, files = read_patch(patch_path)
    patch_path = os.path.abspath(patch_path)
    if python:
        found = shutil.which(python)
        if not found:
            raise PatchInputError('--python %s: no such interpreter'
                                  % python)
        python = os.path.abspath(found)
    if python and run:
        installed = interpreter_nova(python)
    else:
        installed = env.distribution_version('nova')
    with tempfile.TemporaryDirectory(prefix='nrc-backport-') as tmp:
        before_tree = os.path.join(tmp, 'before')
        after_tree = os.path.join(tmp, 'after')
        sdist = None
        if nova_release:
            nova_source, sdist = _release(nova_release)
        if nova_source:
            if not os.path.isdir(nova_source):
                raise PatchInputError('--nova-source %s: no such directory'
                                      % nova_source)
            target = os.path.abspath(nova_source)
            version = versions.tree_version(target)
            if run and not _why_not_dynamic(version, installed):
                _copy_tree(target, before_tree)
            else:
                # No scenario: the static check reads manager.py and git
                # apply the patch's files; nothing else is needed.
                _copy_files(target, before_tree, [static.MANAGER_PATH] +
                            _patch_paths(text))
            git_dirs = _source_git_dirs(target)
            if nova_git:
                try:
                    git_dirs.append(gitrefs.resolve_git_dir(nova_git))
                except gitrefs.GitError as exc:
                    raise PatchInputError('--nova-git: %s' % exc)
            if sdist:
                target = 'nova %s from PyPI (%s, %s at %s)' % (
                    nova_release, sdist['sdist'],
                    'downloaded' if sdist['downloaded'] else 'cached',
                    target)
        else:
            try:
                git_dir = gitrefs.resolve_git_dir(nova_git)
            except gitrefs.GitError as exc:
                raise PatchInputError('--nova-git: %s' % exc)
            commit = _export_ref(git_dir, ref, before_tree)
            git_dirs = [git_dir]
            target = '%s at %s (%s)' % (git_dir, ref, commit[:12])
            version = _ref_version(git_dir, commit)
        _copy_tree(before_tree, after_tree)
        report = {'patch': patch_path, 'patch_format': kind,
                  'patch_files': files, 'target': target,
                  'nova_release': dict(sdist, tree=nova_source)
                  if sdist else None,
                  'nova_version': version, 'installed_nova': installed,
                  'scenario_python': python,
                  'static_before': _static(before_tree)}
        applied_error = None
        misplaced = False
        report['not_applied'] = []
        try:
            options, applied_text, failed = apply_backport(
                after_tree, patch_path, text, tmp)
        except PatchInputError as exc:
            applied_error = str(exc)
        else:
            report['apply_options'] = options
            report['not_applied'] = not_applied(
                before_tree, failed, text, options, git_dirs)
            if applied_text:
                report['hunks'], applied_error = placement(
                    before_tree, after_tree, applied_text, options,
                    git_dirs)
            else:
                report['hunks'] = []
            misplaced = applied_error is not None
        if applied_error is None:
            skipped = {record['file'] for record in report['not_applied']}
            report['applied'] = [name for name in files
                                 if name not in skipped]
            report['static_after'] = _static(after_tree)
        else:
            report['apply_error'] = applied_error
            report['static_after'] = None
        why_not = ('not run: --static-only' if not run
                   else _why_not_dynamic(
                       version, installed,
                       'for %s' % python if python else 'here'))
        if why_not:
            report['dynamic_before'] = {'run': False, 'verdict': None,
                                        'reason': why_not}
            report['dynamic_after'] = dict(report['dynamic_before'])
        else:
            report['dynamic_before'] = run_scenario(before_tree, timeout,
                                                    python)
            report['dynamic_after'] = (
                run_scenario(after_tree, timeout, python)
                if applied_error is None
                else {'run': False, 'verdict': None,
                      'reason': 'not run: the patch does not apply%s'
                      % (' where it is meant to' if misplaced else '')})
    before = _combined(report['static_before'], report['dynamic_before'])
    after = (_combined(report['static_after'], report['dynamic_after'])
             if applied_error is None else (None, None))
    report['before'] = before[0]
    report['after'] = after[0]
    report['expected'] = '%s -> %s' % (static.AFFECTED, static.FIXED)
    report['outcome'], report['reason'] = decide(
        before, after, applied_error, report['dynamic_after'], misplaced)
    if applied_error is not None and not misplaced:
        # git's messages are apply_error's, printed on their own line:
        # the reason points at them rather than saying them twice.
        report['reason'] = report['reason'].replace(
            applied_error, 'see "apply error" (apply_error in JSON)')
    if report['not_applied'] and applied_error is None:
        report['reason'] += _not_applied_note(report['not_applied'])
    report['exit_code'] = EXIT_CODES[report['outcome']]
    return report
