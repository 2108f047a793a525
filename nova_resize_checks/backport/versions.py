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


"""The nova version of a source tree or a commit: metadata, git describe.

A tree's version is read from its package metadata (an sdist's PKG-INFO,
an egg-info or, for a site-packages directory, a dist-info) or, for a git
checkout, from ``git describe`` by release tags; :func:`release_of` gives
the release a ``git describe`` version descends from.
"""

import email.parser
import glob
import os
import subprocess


def _metadata_version(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as meta:
            headers = email.parser.HeaderParser().parse(meta)
    except OSError:
        return None
    name = (headers.get('Name') or '').strip().lower().replace('_', '-')
    version = (headers.get('Version') or '').strip()
    if name == 'nova' and version:
        return version
    return None


# Only release tags describe a commit: nova also tags the end of a series
# (pike-em, pike-eol, 2023.2-eol), sometimes on its last release's commit,
# where plain "git describe --tags" may name the commit pike-em.
RELEASE_TAGS = ('--match', '[0-9]*', '--exclude', '*-*')


def describe(git_options, commit=None):
    """``git describe --tags`` by release tags (else any tag), or None.

    ``git_options`` says where the repository is (``['-C', TREE]`` or
    ``['--git-dir=DIR']``); ``commit`` defaults to HEAD.
    """
    for extra in (list(RELEASE_TAGS), []):
        try:
            proc = subprocess.run(
                ['git'] + list(git_options) + ['describe', '--tags'] +
                extra + ([commit] if commit else []),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                universal_newlines=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        version = proc.stdout.strip()
        if proc.returncode == 0 and version:
            return version
    return None


def _git_describe(tree_path):
    return describe(['-C', tree_path])


def release_of(version):
    """(release, commits after it) of a version string, or (None, 0).

    ``19.0.1-5-geaa1fc6159`` (``git describe`` of a branch tip five
    commits after 19.0.1) gives ('19.0.1', 5); ``19.0.1`` gives
    ('19.0.1', 0).
    """
    if not version:
        return None, 0
    release, dash, rest = version.rpartition('-g')
    if dash and rest and all(c in '0123456789abcdef' for c in rest):
        base, dash, commits = release.rpartition('-')
        if dash and base and commits.isdecimal():
            return base, int(commits)
    return version, 0


def tree_version(tree_path):
    """The nova version of a tree when knowable, else None.

    Looked for in package metadata (an sdist's PKG-INFO, nova.egg-info or,
    for a site-packages directory, nova-*.dist-info/METADATA), then with
    ``git describe --tags`` for a git checkout.
    """
    candidates = [os.path.join(tree_path, 'PKG-INFO'),
                  os.path.join(tree_path, 'nova.egg-info', 'PKG-INFO')]
    for pattern in ('nova-*.dist-info/METADATA', 'nova-*.egg-info/PKG-INFO'):
        candidates.extend(sorted(glob.glob(os.path.join(tree_path,
                                                        pattern))))
    for candidate in candidates:
        if os.path.isfile(candidate):
            version = _metadata_version(candidate)
            if version:
                return version
    if os.path.exists(os.path.join(tree_path, '.git')):
        return _git_describe(tree_path)
    return None
