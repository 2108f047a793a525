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


"""What each file of a patch is: nova's code, a test, a doc, a release note.

Only nova's code decides a backport's verdict: a patch is taken apart
file by file (:func:`split`) so that its tests, docs and release notes can
be applied, or fail to apply, on their own.
"""

import re


# What a patched file is: nova's code decides the verdict, the rest not.
CODE = 'code'
TEST = 'test'
DOC = 'doc'
RELEASE_NOTE = 'release note'
_DOC_DIRS = ('doc', 'api-guide', 'api-ref', 'docs')
_DOC_SUFFIXES = ('.rst', '.md', '.txt', '.inc')


def file_kind(path):
    """CODE, TEST, DOC or RELEASE_NOTE for a path inside nova's tree.

    Tests are anything under a ``tests`` directory or named ``test_*.py``
    (``nova/tests/...``); release notes are under ``releasenotes/``; docs
    are under ``doc/``, ``api-guide/`` or ``api-ref/``, or a text file
    outside ``nova/``.  Everything else, nova's package first of all, is
    code.
    """
    parts = [part for part in path.replace('\\', '/').split('/') if part]
    if not parts:
        return CODE
    if parts[0] == 'releasenotes':
        return RELEASE_NOTE
    if 'tests' in parts[:-1] or re.match(r'test_\w*\.py$', parts[-1]):
        return TEST
    if parts[0] in _DOC_DIRS or (parts[0] != 'nova' and
                                 parts[-1].endswith(_DOC_SUFFIXES)):
        return DOC
    return CODE


def split(patch_text):
    """[(path, kind, text)] of each file of a patch, in the patch's order.

    ``text`` is that file's part of the patch on its own (its ``diff
    --git`` and ``index`` lines, its ``---``/``+++`` lines and hunks), a
    patch ``git apply`` takes.  ``path`` is the path without the ``a/`` or
    ``b/`` prefix when the patch has one.
    """
    import unidiff

    parts = []
    for patched_file in unidiff.PatchSet(patch_text):
        parts.append((patched_file.path, file_kind(patched_file.path),
                      str(patched_file)))
    return parts
