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


"""The place a sentence names: the line holding a name, the scope near a
code span, the line a replaced statement is on.
"""

import keyword
import re

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import numbering
from nova_resize_checks.review.versions import quotes


def noun_after(masked, index):
    """The noun right after code span ``index`` ("`f` call"), or ''."""
    m = re.search('%s%d\n*%s\\s+(\\w+)' % (
        prose.PH_OPEN, index, prose.PH_CLOSE), masked)
    if m and lexicon.NOUN_RE.fullmatch(m.group(1)):
        return lexicon.NOUN_RE.fullmatch(m.group(1)).group('noun').lower()
    return ''


def named_line(masked, index, name, ref_lines):
    """N of "`name` on line N" when the test's line N holds ``name``."""
    key = re.search(
        '%s%d\n*%s' %
        (prose.PH_OPEN,
         index,
         prose.PH_CLOSE),
        masked)
    m = lexicon.ON_LINE_RE.match(masked, key.end()) if key else None
    if not m or not ref_lines:
        return None
    number = int(m.group('line'))
    test = ref_lines[0]
    last = name.rsplit('.', 1)[-1]
    if 1 <= number <= len(test) and re.search(
            r'\b%s\b' % re.escape(last), test[number - 1]):
        return number
    return None


def scope_near(masked, codes, index, before=True):
    """The def a removal is about, or None.

    Named after "in"/"from" later in the sentence, else (``before``) the
    last plain name before code span ``index``.
    """
    key = re.search(
        '%s%d\n*%s' %
        (prose.PH_OPEN,
         index,
         prose.PH_CLOSE),
        masked)
    if key is None:
        return None
    name, inside = named_scope(masked, codes, key.end())
    if inside:
        return name
    if not before:
        return None
    names = [prose.name_of(codes[int(m.group(1))]) for m in
             re.finditer(prose.PH, masked[:key.start()])]
    names = [n for n in names if n and not keyword.iskeyword(n)]
    return names[-1].rsplit('.', 1)[-1] if names else None


def noun_before(masked, index):
    """What the sentence calls code span ``index`` ("argument", ...)."""
    key = '%s%d' % (prose.PH_OPEN, index)
    start = masked.find(key)
    while start >= 0 and masked[start + len(key)].isdecimal():
        start = masked.find(key, start + 1)
    if start < 0:
        return ''
    window = masked[max(0, start - 80):start]
    found = lexicon.NOUN_RE.findall(window)
    return found[-1].lower() if found else ''


def named_scope(masked, codes, pos):
    """``(def name or None, match)`` of "in/of/from `f`" after ``pos``."""
    where = lexicon.SCOPE_RE.search(masked, pos)
    if not where:
        return None, None
    name = prose.name_of(codes[int(where.group('code'))])
    return (name.rsplit('.', 1)[-1] if name else None), where


def phrase_line(rest, old, test_lines):
    """The line of the test holding ``old`` that "in the <phrase>" names.

    Every line holding ``old`` is scored by the phrase's words it contains
    (a word matches an identifier or string beginning with its first four
    letters: "request" matches ``req``); the line with the best score, if
    it is the only one, else None.
    """
    words = _phrase_words(rest) if test_lines else None
    if not words:
        return None
    want = ' '.join(old.split())
    return _sole_best([(_phrase_score(words, text), number)
                       for number, text in enumerate(test_lines, 1)
                       if _holds(text, want)])


def _phrase_words(rest):
    """The phrase's words, cut to four letters, or None.

    The phrase is "in the <phrase>" at the start of ``rest``.
    """
    m = lexicon.PHRASE_RE.match(rest)
    if not m:
        return None
    return [w.lower()[:4] for w in m.group('phrase').split()
            if len(w) > 2 and w.lower() not in lexicon.PHRASE_STOP]


def _holds(text, want):
    """Whether a code line ``text`` (not a comment) holds ``want``."""
    return want in ' '.join(text.split()) and \
        not text.strip().startswith('#')


def _phrase_score(words, text):
    """How many of the phrase's ``words`` line ``text`` has."""
    tokens = [t.lower() for t in re.findall(r'[A-Za-z]+', text)]
    return sum(1 for w in words if any(t.startswith(w[:3]) and
                                       w.startswith(t[:4])
                                       for t in tokens))


def _sole_best(scored):
    """The line of ``(score, line)`` pairs alone at a best score over 0."""
    if not scored:
        return None
    best = max(score for score, _n in scored)
    top = [n for score, n in scored if score == best]
    return top[0] if best > 0 and len(top) == 1 else None


def line_of_statement(spans, old, new, test_lines):
    """The line of the test holding ``old`` that a full statement rewrites.

    ``spans``: the code spans of the sentence.  A span that is one
    statement holding ``new`` is compared, with ``new`` put back to
    ``old``, with every test line holding ``old``; the closest line, when
    it is clearly closest.  None otherwise.
    """
    want_old = ' '.join(old.split())
    holders = [(n, ' '.join(text.split())) for n, text in
               enumerate(test_lines, 1) if _holds(text, want_old)]
    if len(holders) < 2:
        return None
    for span in spans:
        key = ' '.join(span.split())
        if ' '.join(new.split()) not in key or key == ' '.join(new.split()) \
                or len(quotes.logical_lines(span)) != 1 or \
                texts.parse_python(span) is None:
            continue
        back = key.replace(' '.join(new.split()), want_old)
        scored = sorted(((numbering.likeness(text, back), n)
                         for n, text in holders), reverse=True)
        if scored[0][0] >= 0.6 and scored[0][0] - scored[1][0] >= 0.1:
            return scored[0][1]
    return None
