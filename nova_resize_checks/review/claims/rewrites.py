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


"""A code block as the rewrite of the quotation before it.

A review quotes lines of the test, then offers a block: the block may be
the quoted run rewritten (it shares statements with it), the quoted run's
replacement ("replace <quotation> with <block>", a GitHub suggestion), or
the replacement of one statement of it ("Replace the last assertion
with:").  Each becomes a diff from the quotation, applied by content.
"""

import dataclasses
import difflib
import re
import textwrap

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import words
from nova_resize_checks.review import model
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import quotes


def joined(blocks, q, k):
    """Whether prose says "replace <block q> with <block k>"."""
    between = blocks[q + 1:k]
    if len(between) != 1 or between[0].kind != 'prose' or q == 0:
        return False
    before = blocks[q - 1]
    return bool(before.kind == 'prose' and
                lexicon.REPLACE_BEFORE_QUOTE_RE.search(before.text) and
                lexicon.WITH_BETWEEN_RE.match(between[0].text.strip()))


# "Replace the last assertion with:", "swap the second one for this:":
# an ordinal (lexicon.ORDINAL_RES) names a statement of the quotation
# before, and the block after the sentence takes its place.
_REPLACE_ORDINAL_RE = re.compile(
    r'\b(?:replace|swap|change)\b[^.!?]{0,60}\b(?:with|for|to)\b'
    r'[^.!?]{0,20}:?\s*$', re.I)


def ordinal_rewrite(quote, change, last_sentence):
    """The quotation with its Nth statement replaced by ``change``'s code.

    For "Replace the last assertion with: <block>" after a quotation of two
    statements or more: a snippet of the whole quotation, ready for
    :func:`rewrite_of_quotation` (``joined``); None when the sentence names
    no single statement of it.
    """
    if change.kind != model.TEST_SNIPPET or change.partial or \
            not _REPLACE_ORDINAL_RE.search(last_sentence or ''):
        return None
    index = words.ordinal(last_sentence)
    text = textwrap.dedent(quote.text).strip('\n')
    tree = texts.parse_python(text)
    if index is None or tree is None or len(tree.body) < 2 or \
            not -len(tree.body) <= index < len(tree.body):
        return None
    statement = tree.body[index]
    lines = text.split('\n')
    new = textwrap.indent(textwrap.dedent(change.code).strip('\n'),
                          ' ' * statement.col_offset).split('\n')
    code = '\n'.join(lines[:statement.lineno - 1] + new +
                     lines[statement.end_lineno:]) + '\n'
    return dataclasses.replace(change, code=code)


def rewrite_of_quotation(quote, change, test_source, joined=False):
    """A snippet that rewrites the block the review quoted just before.

    When the code block before a proposed snippet quotes a run of the test
    and the snippet shares statements with it, and every statement of the
    snippet that the test has is in that run, the snippet is the quoted
    run rewritten: what the quotation has and the snippet drops goes.  It
    becomes a diff from the quotation to the snippet (applied by content
    like any diff).  So does a snippet the prose puts in the quotation's
    place (``joined``: "replace <quotation> with <snippet>"), whatever it
    shares.  Anything else: ``change`` unchanged.
    """
    if change.kind != model.TEST_SNIPPET or change.partial or \
            re.search(r'^\s*(?:def|class|@)', change.code, re.M):
        return change
    quoted = quotes.comparable_lines(quote.text)
    proposed = quotes.comparable_lines(change.code)
    test = quotes.comparable_lines(test_source)
    in_test = [line for line in proposed if line in set(test)]
    if not quoted or not quotes.contains(test, quoted) or not (joined or (
            in_test and set(in_test) <= set(quoted) and
            not set(quoted) <= set(proposed))):
        return change
    old = textwrap.dedent(quote.text).strip('\n').split('\n')
    new = textwrap.dedent(change.code).strip('\n').split('\n')
    diff = '\n'.join(difflib.unified_diff(
        old, new, 'a/test_bug_1825537.py', 'b/test_bug_1825537.py',
        lineterm='')) + '\n'
    return model.change(
        kind=model.TEST_DIFF, span=change.span, target='test', code=diff,
        summary='rewrite of the code quoted at review line %d (as a diff)'
        % quote.span.start)
