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


"""Code a sentence asks for, wherever it sits, whether or not it is read.

A table cell ("at the end of the test add `import subprocess; ...`"), a
JSON field rendered as prose, a gerrit comment: the reading may not make
a change of it, but the code is proposed all the same, and the static
gate judges it (so unsafe code is flagged whatever the reading made of
the sentence).  Only inline code that runs something (a call, an import,
a ``with``) in a sentence that asks for a change and does not negate it
counts, or one that says to add it ("add `...`", "Thêm vào cuối: `...`"):
"no `os.system()` in there" is a description, not a proposal.
"""

import ast
import re

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import likeness
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts

_RUNS = (ast.Call, ast.Import, ast.ImportFrom, ast.With)
# "Add `...`", "Please insert `...`", "...: add `...`": an English add asked
# for; "the sample adds `...`" describes one.
_ADD_IMPERATIVE_RE = re.compile(
    r'(?:^\W*|[:;]\s*|\bplease\s+|\bjust\s+)(?:add|insert|include)\b',
    re.I)


def asked(parsed):
    """``[(review line, code)]`` of the inline code the review asks for."""
    out = []
    for sentence in prose.iter_sentences(parsed):
        masked = sentence.masked
        if lexicon.NEGATED_PROPOSAL_RE.search(masked) or \
                lexicon.FOREIGN_NEGATION_RE.search(masked) or not (
                    likeness.claim_like(masked, sentence.codes) or
                    _ADD_IMPERATIVE_RE.search(masked) or
                    lexicon.FOREIGN_ADD_RE.search(masked)):
            continue
        out.extend((sentence.line, code) for code in sentence.own_codes
                   if _runs_something(code))
    return out


def _runs_something(code):
    tree = texts.parse_python(code.strip())
    return tree is not None and any(
        isinstance(node, _RUNS) for node in ast.walk(tree))
