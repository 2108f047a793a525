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


"""The words around a code span: a small tokenizer over masked prose.

Used to tell which names a sentence calls unused, which code spans it
asks to remove, and whether (and in which language) it asks for a
removal at all.
"""

import re

from nova_resize_checks.review.claims import lexicon

ENGLISH = 'english'
FOREIGN = 'foreign'


# Text in double quotation marks (straight, curly, guillemets, low-high).
_CITED_RE = re.compile('"[^"\n]{1,200}"|\u201c[^\u201d\n]{1,200}\u201d'
                       '|\u00ab[^\u00bb\n]{1,200}\u00bb'
                       '|\u201e[^\u201c\u201d\n]{1,200}[\u201c\u201d]')


def removal_asked(sentence, passive=False):
    """How ``sentence`` asks for a removal: ENGLISH, FOREIGN or None.

    The one test of "a removal, not negated" of the reading.  An English
    removal verb decides alone (negated, "rather", "instead": None);
    without one, a removal in another language counts when that language
    does not negate it.  With ``passive``, "should be removed" counts too
    (the caller checks for the modal).
    """
    # What the writer cites in quotation marks (a commit's title,
    # "functional: Remove 'api' parameter") asks nothing of the reader.
    sentence = _CITED_RE.sub(' ', sentence)
    plain = sentence.lower()
    verbs = lexicon.REMOVE_WORDS if passive else lexicon.REMOVE_IMPERATIVE
    if set(re.findall(r'[a-z]+', plain)) & verbs:
        negated = lexicon.NEGATED_REMOVE_RE.search(plain) or \
            re.search(r'\b(?:rather|instead)\b', plain)
        return None if negated else ENGLISH
    # ("\u5f15\u6570\u524a\u9664\u5f8c": after the argument's removal,
    # a description.)
    sentence = lexicon.FOREIGN_DESCRIPTION_RE.sub(' ', sentence)
    if lexicon.FOREIGN_REMOVE_RE.search(sentence) and \
            not lexicon.FOREIGN_NEGATION_RE.search(sentence):
        return FOREIGN
    return None


def _tokens(masked):
    """Tokens ``(kind, value, start)`` of a masked sentence.

    ``kind`` is 'code' (value: the code span index), 'word' (lower-cased)
    or 'punct'.
    """
    out = []
    for m in lexicon.TOKEN_RE.finditer(masked):
        if m.group('code') is not None:
            out.append(('code', int(m.group('code')), m.start()))
        elif m.group(0)[0].isalnum() or m.group(0)[0] == '_':
            out.append(('word', m.group(0).lower(), m.start()))
        else:
            out.append(('punct', m.group(0), m.start()))
    return out


def _code_run(tokens, i, forward=True, skip=3):
    """Code spans forming a list ("`a`, `b` and `c`") next to ``i``."""
    found = []
    step = 1 if forward else -1
    j = i
    skipped = 0
    while 0 <= j < len(tokens):
        kind, value, _ = tokens[j]
        if kind == 'code':
            found.append(value)
            skipped = 0
        elif kind == 'punct' and value in ',;/(:':
            pass
        elif kind == 'word' and (value in lexicon.KEEP_WORDS or (
                forward and not found and _pronoun(tokens, j))):
            # "remove it and keep `f`": `f` is not what goes.
            break
        elif kind == 'word' and (value in lexicon.LIST_JOIN_WORDS or
                                 lexicon.NOUN_RE.fullmatch(value)):
            pass
        elif kind == 'word' and not found and skipped < skip and \
                value not in lexicon.LOCATION_WORDS:
            skipped += 1
        else:
            break
        j += step
    return found if forward else list(reversed(found))


def _pronoun(tokens, j):
    """Whether word ``j`` is a pronoun object ("remove it").

    Not a determiner: "remove this `x`", "drop that check".
    """
    if tokens[j][1] not in lexicon.PRONOUN_OBJECTS:
        return False
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    return tokens[j][1] in ('it', 'them') or nxt is None or not (
        nxt[0] == 'code' or (nxt[0] == 'word' and (
            lexicon.NOUN_RE.fullmatch(nxt[1]) or nxt[1] not in
            lexicon.LIST_JOIN_WORDS)))


def unused_names(sentence_masked):
    """Code span indexes a sentence calls unused."""
    tokens = _tokens(sentence_masked)
    found = []
    for i, (kind, value, _) in enumerate(tokens):
        if kind != 'word':
            continue
        cue = value in lexicon.UNUSED_WORDS
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ''
        if value in ('not', 'never') and nxt in ('used', 'needed',
                                                 'referenced'):
            cue = True
        if not cue:
            continue
        # "unused variables, such as `a` and `b`"
        found.extend(_code_run(tokens, i + 1, forward=True, skip=3))
        # "`a` is unused" / "`a` is never used"
        # "`x` statement is unnecessary": a noun may name what `x` is.
        j = i - 1
        while j >= 0 and tokens[j][0] == 'word' and (tokens[j][1] in (
                'is', 'are', 'seems', 'seem', 'appears', 'appear', 'to',
                'be', 'also', 'currently', 'actually', 'completely',
                'totally', 'never', 'not') or lexicon.NOUN_RE.fullmatch(
                    tokens[j][1])):
            j -= 1
        if j >= 0 and tokens[j][0] == 'code' and j < i - 1:
            found.extend(_subject_run(tokens, j))
    return list(dict.fromkeys(found))


def _subject_run(tokens, j):
    """The code spans before a verb phrase that it is about.

    "`x` of `f` is unused" is about `x`, not `f`.
    """
    run = _code_run(tokens, j, forward=False, skip=0)
    k = j
    while k >= 0 and (tokens[k][0] == 'code' or tokens[k][1] in
                      (',', 'and', 'or')):
        k -= 1
    if k >= 1 and tokens[k][0] == 'word' and \
            tokens[k][1] in lexicon.OWNER_WORDS:
        m = k - 1
        while m >= 0 and tokens[m][0] == 'word' and m > k - 3 and \
                tokens[m][1] not in lexicon.LOCATION_WORDS:
            m -= 1
        if m >= 0 and tokens[m][0] == 'code':
            return _code_run(tokens, m, forward=False, skip=0)
    return run


def _before_parenthetical(tokens, j):
    """The index before a short parenthetical without code ending at ``j``.

    "(line 55)", "(L55)", "(lines 98-99)", and a longer one that adds to
    the subject ("(and the three comment lines above it)"): ``j`` itself
    when the token there is not a closing parenthesis of such an aside.
    """
    if j < 0 or tokens[j][:2] != ('punct', ')'):
        return j
    k = j - 1
    while k >= 0 and j - k <= 10:
        kind, value = tokens[k][:2]
        if kind == 'code' or (kind == 'punct' and value == ')'):
            return j
        if kind == 'punct' and value == '(':
            adds = k + 1 < j and tokens[k + 1][:2] in _ADDING
            return k - 1 if j - k <= 6 or adds else j
        k -= 1
    return j


_ADDING = frozenset(('word', w) for w in ('and', 'plus', 'with', 'along',
                                          'including'))


def _subject_before(tokens, j):
    """The code span a short predicate ending at ``j`` is about, else ``j``.

    Up to three words ("adds nothing and") and a place ("on line 87", "at
    L87", "on lines 84-85") may stand between it and the modal; other
    punctuation may not.
    """
    k, words = j, 0
    while k >= 0 and tokens[k][0] == 'word' and words <= 3:
        if k >= 4 and tokens[k][1].isdecimal() and \
                tokens[k - 1][1] in ('-', '\u2013', 'to', 'and') and \
                tokens[k - 2][1].isdecimal() and \
                tokens[k - 3][1] in ('lines', 'line', 'l') and \
                tokens[k - 4][1] in ('on', 'at', 'in'):
            k -= 5
            continue
        if k >= 2 and tokens[k][1].isdecimal() and tokens[k - 1][1] in (
                'line', 'lines', 'l') and \
                tokens[k - 2][1] in ('on', 'at', 'in'):
            k -= 3
            continue
        if tokens[k][1] in ('on', 'at', 'in') and k + 1 <= j and \
                tokens[k + 1][1].startswith('l') and \
                tokens[k + 1][1][1:].isdecimal():
            k -= 1
            continue
        words += 1
        k -= 1
    if k >= 0 and tokens[k][0] == 'code' and words <= 3:
        return k
    return j


# Words that may stand between the code spans a sentence asks to remove
# and its verb ("`x` is unnecessary and can safely be removed"), besides
# modals, nouns and the words for "unused".
_BEFORE_REMOVE_VERB = frozenset((
    'be', 'also', 'safely', 'simply', 'just', 'is', 'are', 'been',
    'probably', 'then', 'and', 'entirely', 'completely', 'now'))


def ordinal(sentence):
    """The one statement an ordinal in ``sentence`` points at, or None.

    0 for "the first", 1 for "the second", -1 for "the last" (see
    :data:`lexicon.ORDINAL_RES`); None when the sentence has none, or
    ordinals of two places.
    """
    found = [index for index, regex in lexicon.ORDINAL_RES
             if regex.search(sentence)]
    return found[0] if len(found) == 1 else None


def removed_codes(sentence_masked):
    """Code span indexes a sentence asks to remove."""
    tokens = _tokens(sentence_masked)
    verbs = [i for i, t in enumerate(tokens)
             if t[0] == 'word' and t[1] in lexicon.REMOVE_WORDS or
             _modal_go(tokens, i)]
    if not verbs:
        return []
    found = list(unused_names(sentence_masked))
    for i in verbs:
        if tokens[i][1] in lexicon.REMOVE_IMPERATIVE:
            found.extend(_imperative_objects(tokens, i))
        else:
            found.extend(_passive_subjects(tokens, i))
    return list(dict.fromkeys(found))


_GO_ADVERBS = frozenset(('just', 'safely', 'simply', 'also', 'probably',
                         'now', 'then', 'easily'))


def _modal_go(tokens, i):
    """Whether token ``i`` is the "go" of "`x` can go" (a removal).

    A modal right before it (an adverb may stand between) and nothing
    after it but punctuation or "away": not "it can go wrong", "we could
    go with `x`", "`x` can't go".
    """
    if tokens[i][:2] != ('word', 'go'):
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is not None and after[0] != 'punct' and after[1] != 'away':
        return False
    j = i - 1
    if j >= 0 and tokens[j][0] == 'word' and tokens[j][1] in _GO_ADVERBS:
        j -= 1
    return j >= 0 and tokens[j][0] == 'word' and \
        tokens[j][1] in lexicon.MODALS


def _imperative_objects(tokens, i):
    """Code spans after "remove" at token ``i``, when it is an imperative.

    "remove the unused argument `server`" (not "nova removed the `api`
    parameter", which tells what happened).
    """
    if i and tokens[i - 1][0] == 'word' and \
            tokens[i - 1][1] in lexicon.DETERMINERS:
        # "refuses the DELETE": a noun, not an imperative.
        return []
    return _code_run(tokens, i + 1, forward=True, skip=4)


def _passive_subjects(tokens, i):
    """Code spans before the verb at token ``i`` that a modal asks to go.

    "`a` and `b` can (safely) be removed"; "`x` is simply deleted" tells
    what happens, "`x` can be deleted" asks for it.
    """
    # ("the `x` statement is unnecessary and can be removed")
    j, modal = _before_verb_words(tokens, i - 1)
    # "`x` (line 55) can be removed": a place between the code span and
    # its verb is skipped.
    j = _before_parenthetical(tokens, j)
    if modal and j >= 0 and tokens[j][0] != 'code':
        # "`x` on line 87 adds nothing and should be removed": a short
        # predicate and a place between the code span and the modal.
        j = _subject_before(tokens, j)
    if modal and j >= 0 and j < i - 1 and tokens[j][0] == 'code':
        return _subject_run(tokens, j)
    return []


def _before_verb_words(tokens, j):
    """``(index, modal)``: back from token ``j`` past the verb's words.

    The words that may stand before a removal verb are skipped; ``modal``
    says whether one of them was a modal.
    """
    modal = False
    while j >= 0 and tokens[j][0] == 'word' and (
            tokens[j][1] in lexicon.MODALS or lexicon.NOUN_RE.fullmatch(
                tokens[j][1]) or tokens[j][1] in lexicon.UNUSED_WORDS or
            tokens[j][1] in _BEFORE_REMOVE_VERB):
        modal = modal or tokens[j][1] in lexicon.MODALS
        j -= 1
    return j, modal
