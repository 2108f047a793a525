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


"""What language a block is in: Python, a diff, shell, or prose.
"""

import ast
import re

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review import model
from nova_resize_checks.review.read import container
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import texts


def fence_language(info):
    word = info.split()[0] if info.split() else ''
    word = word.strip('{}.').lower()
    if word.startswith('language-'):
        word = word[len('language-'):]
    return word


def _is_shell_line(line):
    s = line.strip()
    if s.startswith('$ ') or s.startswith('> '):
        return True
    first = s.split(None, 1)[0] if s else ''
    rest = s[len(first):].lstrip()
    return (first in lexicon.SHELL_WORDS and
            not rest.startswith(('=', '(', '.')) and not s.endswith(':'))


def code_language(text, info):
    """'diff', 'python', 'other' (plainly not Python) or 'prose'."""
    lang = fence_language(info)
    if lang in lexicon.DIFF_LANGS or diffs.looks_like_diff(text):
        return 'diff'
    if lang in lexicon.PY_LANGS:
        return 'python'
    if lang not in lexicon.TEXT_LANGS:
        return 'other'
    tree = texts.parse_python(text)
    if tree is not None:
        if tree.body and all(
                isinstance(s, ast.Expr) and isinstance(
                    s.value, (ast.Dict, ast.List, ast.Constant, ast.Set))
                for s in tree.body):
            return 'other'
        return 'python'
    lines = [ln for ln in text.split('\n')
             if ln.strip() and not ln.strip().startswith('#')]
    if lines and sum(1 for ln in lines if _is_shell_line(ln)) >= \
            0.6 * len(lines):
        return 'other'
    if container.looks_like_prose(text):
        return 'prose'
    return 'python'


def diff_target(path, intro=''):
    """``(kind, target)`` for a diff touching ``path``."""
    if not path:
        m = lexicon.NOVA_PATH_RE.search(intro or '')
        path = m.group('path') if m else ''
    if 'test_bug_1825537' in path:
        return model.TEST_DIFF, 'test'
    m = re.search(r'(?:^|/)(nova/[\w./-]+)', path)
    if m:
        return model.NOVA_DIFF, m.group(1)
    return model.TEST_DIFF, 'test'
