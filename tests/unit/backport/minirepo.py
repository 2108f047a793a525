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

"""A small nova-shaped git repository for the backport tests.

CI cannot fetch nova's history, so the tests build one: the cut-down
manager.py in tests/samples/backports/ (affected), then the fix from
mini-fix.patch committed with the fix's Change-Id, with tags, stable and
unmaintained branches and a cherry-pick of the fix.
"""

import os
import shutil
import subprocess

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'samples', 'backports')
AFFECTED_MANAGER = os.path.join(SAMPLES, 'mini_manager_affected.py')
FIX_PATCH = os.path.join(SAMPLES, 'mini-fix.patch')
LOG_ONLY_DIFF = os.path.join(SAMPLES, 'mini-log-only.diff')

_ENV = {'GIT_AUTHOR_NAME': 'Test', 'GIT_AUTHOR_EMAIL': 'test@example.org',
        'GIT_COMMITTER_NAME': 'Test',
        'GIT_COMMITTER_EMAIL': 'test@example.org',
        'GIT_CONFIG_NOSYSTEM': '1', 'HOME': '/nonexistent'}


def git(repo, *args):
    env = dict(os.environ)
    env.update(_ENV)
    proc = subprocess.run(['git', '-C', repo] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False)
    if proc.returncode:
        raise AssertionError('git %s failed: %s' % (
            ' '.join(args), proc.stderr.decode()))
    return proc.stdout.decode().strip()


def affected_tree(root):
    """A plain directory holding the affected manager.py."""
    path = os.path.join(root, 'nova', 'compute')
    os.makedirs(path)
    shutil.copy(AFFECTED_MANAGER, os.path.join(path, 'manager.py'))
    return root


def build(root):
    """Make the repository; return {name: commit}.

    History (oldest first)::

        A  affected              tag 1.0.0, branch stable/old
        B  fix (Change-Id I52c8d038...)   tag 1.0.1, branch master
        stable/old:  A - C (unrelated)  branch stable/old (affected)
        unmaintained/mid: A - D (cherry-pick of B: new commit, same
                          Change-Id)
    """
    git(root, 'init', '-q', '-b', 'master')
    affected_tree(root)
    git(root, 'add', '-A')
    git(root, 'commit', '-q', '-m', 'Compute manager, affected shape')
    commits = {'A': git(root, 'rev-parse', 'HEAD')}
    git(root, 'tag', '1.0.0')
    git(root, 'branch', 'stable/old')
    git(root, 'branch', 'unmaintained/mid')
    git(root, 'am', '-q', FIX_PATCH)
    commits['B'] = git(root, 'rev-parse', 'HEAD')
    git(root, 'tag', '1.0.1')
    git(root, 'checkout', '-q', 'stable/old')
    with open(os.path.join(root, 'README'), 'w') as readme:
        readme.write('unrelated change\n')
    git(root, 'add', 'README')
    git(root, 'commit', '-q', '-m', 'Unrelated change')
    commits['C'] = git(root, 'rev-parse', 'HEAD')
    git(root, 'checkout', '-q', 'unmaintained/mid')
    git(root, 'cherry-pick', '-x', commits['B'])
    commits['D'] = git(root, 'rev-parse', 'HEAD')
    git(root, 'checkout', '-q', 'master')
    return commits
