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


"""A removal asked for after the code it removes was quoted.

"The last assertion, ```<quoted lines>``` cannot fail ... Both statements
(the `migration_uuid` lookup and the `assertEqual`) should be removed":
the sentence names the code by names that are all in the block quoted
before it, so the quoted statements that hold those names go.  Only a
sentence no other rule read, that asks for a removal (not negated), and
whose every quoted name is in the quotation, is read this way.  A
removal that names no code and points back ("these three lines can go",
"please remove them") takes the whole quotation.
"""

import ast
import re
import textwrap

from nova_resize_checks.review.claims import fixes
from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import words
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import quotes

# At most this many statements in the quotation: a long listing quoted
# earlier is not what "both statements" points at.
MAX_QUOTED_STATEMENTS = 4


def removals(prose_block, quote_block, findings):
    """REMOVE changes for ``prose_block``'s request about the quotation.

    Drops the unparsed-claim findings of the sentences it reads.
    """
    tree = texts.parse_python(quotes.port_dialect(
        textwrap.dedent(quote_block.text).strip('\n')))
    if tree is None or not 0 < len(tree.body) <= MAX_QUOTED_STATEMENTS:
        return []
    statements = [ast.unparse(node) for node in tree.body]
    changes = []
    sentences, codes = prose.sentences_of(prose_block.text)
    for masked in sentences:
        sentence = prose.unmask(masked, codes)
        names = [code.strip() for code in prose.codes_in(masked, codes)
                 if '\n' not in code]
        if not names:
            gone = _pointed_at(masked, statements)
        elif not fixes.asks_removal(sentence, passive=True) or not (
                lexicon.REQUEST_RE.search(sentence) or
                lexicon.IMPERATIVE_RE.match(sentence)):
            continue
        elif not all(any(_names(name, s) for s in statements)
                     for name in names):
            continue
        else:
            gone = [s for s in statements
                    if any(_names(n, s) for n in names)]
        if not gone:
            continue
        changes.extend(model.change(
            kind=model.REMOVE, span=prose_block.span, old=s,
            summary='remove statement %s (quoted before the request)'
            % texts.short(s, 60)) for s in gone)
        _forget(findings, prose_block.span, sentence)
    return changes


def _pointed_at(masked, statements):
    """The quoted statements a removal that names no code points at.

    "These three lines can go", "Please remove them" right after the
    quotation: all of it goes.  A negated removal points at nothing.
    """
    if masked.rstrip().endswith(':'):
        # ("I'd drop the message check:" introduces the code after it.)
        return []
    ordinal = _ordinal(masked, statements)
    if ordinal is not None:
        return ordinal
    found = lexicon.DEICTIC_REMOVE_RE.search(masked)
    if found is not None:
        return [] if lexicon.NEGATED_REMOVE_RE.search(
            masked[:found.end()]) else statements
    # "Denne linjen kan fjernes" ("this line can be removed"): a removal
    # in another language whose object is the word for line, no number.
    if words.removal_asked(masked, passive=True) == words.FOREIGN and \
            lexicon.FOREIGN_LINE_WORD_RE.search(masked) and \
            not lexicon.FOREIGN_LINES_RE.search(masked):
        return statements
    return []


def _ordinal(masked, statements):
    """"The second one can go": that statement of the quotation, or None.

    One ordinal word (see :data:`lexicon.ORDINAL_RES`), a removal asked
    for (any language, not negated) and a quotation of two statements or
    more; [] when the ordinal points past the quotation, None when the
    sentence has no single ordinal.
    """
    index = words.ordinal(masked)
    if index is None or len(statements) < 2 or \
            words.removal_asked(masked, passive=True) is None:
        return None
    if not -len(statements) <= index < len(statements):
        return []
    return [statements[index]]


def _names(name, statement):
    return bool(re.search(r'(?<!\w)%s(?!\w)' % re.escape(
        name.split('(')[0].rsplit('.', 1)[-1]), statement))


def _forget(findings, span, sentence):
    head = ' '.join(sentence.split())[:40]
    findings[:] = [f for f in findings if not (
        f.kind == model.UNPARSED_CLAIM and f.span is not None and
        span.start <= f.span.start <= span.end and
        head and head in ' '.join((f.message or '').split()))]
