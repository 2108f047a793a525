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


"""The inputs of patch mode: the patch file and a copy of its target.

The target is a nova source tree (copied whole, or only the files the
static check and the patch need), a release's sdist from PyPI
(:mod:`release`) or a ref of a nova git repository (exported with ``git
archive``); the user's tree is never written.
"""

import os
import shutil
import subprocess

from nova_resize_checks.backport import gitrefs
from nova_resize_checks.backport import release
from nova_resize_checks.backport import versions

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


def _source_git_dirs(source):
    """The repository a --nova-source tree is in, if any (for blobs)."""
    proc = subprocess.run(['git', '-C', source, 'rev-parse',
                           '--absolute-git-dir'], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False)
    if proc.returncode:
        return []
    return [proc.stdout.decode('utf-8', 'replace').strip()]


def _release(nova_release):
    try:
        return release.release_tree(nova_release)
    except release.ReleaseError as exc:
        raise PatchInputError('--nova-release %s: %s' % (nova_release, exc))
