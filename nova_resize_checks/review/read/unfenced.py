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


"""Python written into a review without a fence, told from prose.

:func:`looks_like_prose` says whether text reads as English sentences;
:func:`bare_code` whether a paragraph is Python written straight into
plain text; :func:`unfenced_code` finds Python pasted over several
paragraphs.  :mod:`.container` cuts the blocks with them.
"""

import ast
import re

from nova_resize_checks.review.read import texts

LIST_ITEM_RE = re.compile(r'[ \t]*(?:\d{1,4}[.)]|[-*+])[ \t]+\S')
CODE_LIKE_RE = re.compile(
    r'(?:from|import|class|def|return|assert|raise|try|except|finally|'
    r'with|for|while|if|elif|else|pass|super)\b|self\.|@|#|[)\]}]|'
    r'[A-Za-z_][\w.]*(?:\[[^\]\n]*\])?\s*(?:[-+*/]?=|\()')


def looks_like_prose(text):
    """Whether ``text`` reads as English sentences rather than code."""
    lines = [ln.strip() for ln in text.split('\n') if ln.strip()]
    if not lines:
        return False
    proseish = 0
    for ln in lines:
        words = re.findall(r"[A-Za-z][A-Za-z'-]*", ln)
        code_chars = sum(ln.count(c) for c in '=()[]{}_#@;')
        if (len(words) >= 4 and code_chars <= 1 and
                not CODE_LIKE_RE.match(ln) and
                len(' '.join(words)) >= 0.6 * len(ln)):
            proseish += 1
    return proseish >= max(1, 0.7 * len(lines))


_CODE_STATEMENTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Import,
                    ast.ImportFrom, ast.Assert, ast.Return, ast.Delete,
                    ast.If, ast.For, ast.While, ast.With, ast.Try,
                    ast.FunctionDef, ast.ClassDef, ast.Raise)


def bare_code(body):
    """Whether a paragraph is Python written straight into the text.

    Plain-text reviews put a proposed statement on its own line with no
    fence or indentation.  Such a paragraph is code when, dedented, it
    parses, every statement is a call, an assignment or another statement
    (a bare name or expression is not), and no line reads as a sentence.
    """
    if len(body) > 20000 or looks_like_prose(body) or \
            LIST_ITEM_RE.match(body) or body.lstrip().startswith('>'):
        return False
    tree = texts.parse_python(body)
    if tree is None or not tree.body:
        return False
    return all((isinstance(node, _CODE_STATEMENTS) and not _label(node)) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))
        for node in tree.body)


def _label(node):
    """"Review: tests/functional/test_bug_1825537.py", "Résumé: a/b.py".

    A word, a colon and text that happens to parse (a path is a chain of
    divisions): an annotation without a value, which no review proposes,
    and which any word in any script makes of a label.
    """
    return isinstance(node, ast.AnnAssign) and node.value is None


# A line that opens Python at the left margin of plain text, and one that
# goes on with it (indented, a comment, a closing bracket, a statement).
_CODE_START_RE = re.compile(
    r'(?:from\s+[\w.]+\s+import\b|import\s+[\w.]+|class\s+\w+|'
    r'(?:async\s+)?def\s+\w+|@[\w.]+)')
_MAX_UNFENCED_LINES = 2000
_MAX_UNFENCED_TRIMS = 20


def unfenced_code(lines, used):
    """Python pasted into the text over several paragraphs, unfenced.

    A plain-text review may paste a whole module or class: blank lines
    (and ``#`` lines, which would read as headings) cut it into
    paragraphs that do not parse one by one.  A run that opens at the
    left margin with an import, a ``class``, a ``def`` or a decorator and
    goes on with code-like lines is one block when it parses, trailing
    paragraphs that keep it from parsing given back to the prose.  Runs of
    one paragraph are left to the paragraph reading.  Linear: each run is
    read once, with a bounded number of trims.
    """
    regions = []
    n = len(lines)
    i = 0
    while i < n:
        if used[i] or not _CODE_START_RE.match(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < n and j - i < _MAX_UNFENCED_LINES and not used[j] and (
                not lines[j].strip() or lines[j][0] in ' \t#)]}' or
                CODE_LIKE_RE.match(lines[j])):
            j += 1
        found = _parsing_run(lines, i, j)
        if found:
            regions.append((i, found))
            i = found
        else:
            i = j
    return regions


def _parsing_run(lines, first, end):
    """Where the longest run of paragraphs from ``first`` that parses ends.

    The run must be statements and span more than one paragraph; None
    when no such run parses.
    """
    cuts = [k for k in range(first + 1, end)
            if not lines[k].strip() and lines[k - 1].strip()]
    ends = [end] + sorted(cuts, reverse=True)
    for stop in ends[:_MAX_UNFENCED_TRIMS]:
        while stop > first and not lines[stop - 1].strip():
            stop -= 1
        if not any(not lines[k].strip() for k in range(first, stop)):
            return None
        tree = texts.parse_python('\n'.join(lines[first:stop]),
                                  dedent=False)
        if tree is not None and tree.body and all(
                isinstance(node, _CODE_STATEMENTS) or (
                    isinstance(node, ast.Expr) and isinstance(
                        node.value, (ast.Call, ast.Constant)))
                for node in tree.body):
            return stop
    return None
