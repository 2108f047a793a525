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


"""The removal rules: what a sentence asks to remove.

Rules of :data:`.rules.SENTENCE_RULES`, each ``rule(sentence) -> None``:
code spans asked removed ("`x` can be removed"), removals in another
language (of the one statement quoted, or of the lines named), removals
pointing back ("It can be removed"), and removals under a gerrit comment
header ("Line 55: ... please drop it").
"""

import ast
import keyword
import re

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review.claims import places
from nova_resize_checks.review.claims import words
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.read import texts
from nova_resize_checks.review.versions import quotes


def _removal(s, index, unused):
    """The change removing code span ``index``, or None."""
    masked, codes, span = s.masked, s.codes, s.span
    content = codes[index]
    if keyword.iskeyword(content.strip()):
        # "remove the `return` at the end of `f`"
        return model.change(
            kind=model.REMOVE, span=span, old=content.strip(),
            target=places.scope_near(masked, codes, index) or 'test',
            unit=model.KEYWORD,
            summary='remove the %s statement' % content.strip())
    name = prose.name_of(content)
    if name:
        if name in s.renamed:
            return None
        line = places.named_line(masked, index, name, s.refs.lines)
        if line:
            # "delete the assertEqual on line 55": that line.
            return model.change(
                kind=model.REMOVE, span=span, line=line,
                summary='remove line %d (%s)' % (line, name))
        noun = places.noun_after(masked, index) or places.noun_before(
            masked, index)
        scope = places.scope_near(masked, codes, index, before=False)
        return model.change(
            kind=model.REMOVE, span=span, old=name, target=scope or 'test',
            unit=model.CALLS if noun in lexicon.CALL_NOUNS else '',
            summary=' '.join(w for w in (
                'remove', 'unused' if index in unused else '', noun,
                name) if w))
    if (re.search(r'[(=]', content) or lexicon.STATEMENT_KEYWORD.match(
            content)) and texts.parse_python(content) is not None:
        return model.change(
            kind=model.REMOVE, span=span, old=content.strip(),
            summary='remove statement %s' % texts.short(content, 60))
    return None


def _header_lines_naming(s, name):
    """Our lines, of the gerrit header's, that hold ``name``; or [].

    The header's lines are numbered as the version the review read.
    """
    if not name or s.header is None or name in s.renamed:
        return []
    test_lines = s.test_lines
    bare = name.rsplit('.', 1)[-1]
    first, end = s.header
    ours = [s.our_line(n)
            for n in range(first, end + 1)]
    found = [n for n in ours if 1 <= n <= len(test_lines) and
             re.search(r'(?<![\w.])(?:self\.)?%s\b' % re.escape(bare),
                       test_lines[n - 1])]
    return _whole_statements(test_lines, found)


def _whole_statements(test_lines, lines):
    """``lines`` with the other lines of the statements they open.

    A statement spread over several lines goes whole: its other lines
    hold its arguments, not what a comment or a name points at.
    """
    tree = texts.parse_python('\n'.join(test_lines))
    spans = {} if tree is None else {
        node.lineno: node.end_lineno for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not hasattr(node, 'body')}
    whole = []
    for n in lines:
        whole.extend(range(n, spans.get(n, n) + 1))
    return list(dict.fromkeys(whole))


def removal_rule(s):
    """"`x` can be removed", "remove the `f` call", "drop the unused `y`"."""
    unused = words.unused_names(s.masked)
    replaced = s.replaced
    for index in words.removed_codes(s.masked):
        if s.codes[index].strip() in replaced:
            continue
        on_header = _header_lines_naming(s, prose.name_of(s.codes[index]))
        if on_header:
            # "PS3, Line 55: ... Please drop this assertEqual": the
            # commented line that holds it, not every assertEqual.
            s.changes.extend(model.change(
                kind=model.REMOVE, span=s.span, line=n,
                summary='remove line %d (%s, on the commented line(s) '
                '%d-%d)' % ((n, s.codes[index].strip()) + s.header))
                for n in on_header)
            continue
        change = _removal(s, index, unused)
        if change is not None:
            s.changes.append(change)


def foreign_removal_rule(s):
    """A removal asked for in another language, of the one statement quoted.

    "62〜63 行目の `X` は ... このアサーションは削除してください": when the
    sentence asks for a removal in another language (and does not negate
    it), quotes exactly one code span that is a whole statement, and no
    other rule made a change of it, that statement goes.
    """
    if any(c.kind == model.REMOVE for c in s.changes) or \
            words.removal_asked(s.masked, passive=True) != words.FOREIGN:
        # (An English sentence is removal_rule's to read.)
        return
    named = s.own_codes
    statements = [code for code in named
                  if re.search(r'[(=]', code) and texts.parse_python(
                      code) is not None and len(
                      quotes.logical_lines(code)) == 1]
    if len(statements) != 1 or len(named) > 2 or \
            statements[0].strip() in s.replaced:
        _foreign_line_removal(s)
        return
    s.changes.append(model.change(
        kind=model.REMOVE, span=s.span, old=statements[0].strip(),
        summary='remove statement %s' % texts.short(statements[0], 60)))


def _subject_lines(masked, verb):
    """The lines a removal's subject names, in a language not English.

    "Οι γραμμές 97-99 ... να αφαιρεθούν" ("lines 97-99 can be removed"):
    the sentence opens with them (at most two words before), they are
    the only lines it names, and no comma or semicolon stands between
    them and the verb: "line 87 is fine, but remove the comment" names
    line 87 as no subject of the removal.
    """
    places = list(lexicon.FOREIGN_LINES_RE.finditer(masked, 0, verb.start()))
    if len(places) != 1 or lexicon.FOREIGN_LINES_RE.search(
            masked, verb.start()):
        return None
    where = places[0]
    if len(masked[:where.start()].split()) > 2 or \
            re.search(r'[,;\uff0c\u060c]', masked[where.end():verb.start()]):
        return None
    return where


def _foreign_line_removal(s):
    """"Supprimez l'appel `f` des lignes 84-85": those lines go.

    The first lines named after the removal verb, numbered as the version
    the review read; every name the sentence quotes must be on them (else
    the sentence is about something else, and nothing is removed).
    """
    verb = lexicon.FOREIGN_REMOVE_RE.search(s.masked)
    where = lexicon.FOREIGN_LINES_RE.search(s.masked, verb.start()) \
        if verb else None
    if where is None and verb is not None:
        where = _subject_lines(s.masked, verb)
    if where is None:
        return
    first = int(where.group('first') or where.group('first_cjk'))
    end = int(where.group('end') or where.group('end_cjk') or first)
    if not first <= end <= first + lexicon.MAX_LINE_RANGE:
        return
    ours = [s.our_line(n)
            for n in range(first, end + 1)]
    test_lines = s.test_lines
    if not all(1 <= n <= len(test_lines) for n in ours):
        return
    text = '\n'.join(test_lines[n - 1] for n in ours)
    names = [prose.name_of(code) for code in s.own_codes]
    if any(name and name.rsplit('.', 1)[-1] not in text for name in names):
        return
    for n in ours:
        s.changes.append(model.change(
            kind=model.REMOVE, span=s.span, line=n,
            summary='remove line %d (lines %d-%d, asked in another '
            'language)' % (n, first, end)))


def anaphoric_removal_rule(s):
    """"It can be removed together with the `x = f()` lookup that feeds it."

    ("`self.assertEqual({}, ...)` can never fail alone." before it.)  A
    removal whose subject points back ("it", "this check") removes the
    last statement the block named before the sentence, and the statements
    the sentence itself names; each must be a statement of the test.
    """
    if s.changes or not (
            lexicon.ANAPHORIC_REMOVE_RE.match(s.masked) or
            lexicon.IMPERATIVE_ANAPHORIC_REMOVE_RE.match(s.masked)) or \
            lexicon.NEGATED_REMOVE_RE.search(s.masked):
        return
    statements = [c.strip() for c in s.earlier
                  if _test_statement(s, c.strip())]
    if not statements:
        return
    gone = [statements[-1]] + [c.strip() for c in s.own_codes
                               if _test_statement(s, c.strip())]
    for code in dict.fromkeys(gone):
        s.changes.append(model.change(
            kind=model.REMOVE, span=s.span, old=code,
            summary='remove statement %s (named before "%s")' % (
                texts.short(code, 60),
                texts.short(prose.unmask(s.masked, s.codes).strip(), 30))))


def _test_statement(s, code):
    """Whether ``code`` is one whole statement the test holds."""
    if not texts.one_line_statement(code) or not s.test_lines:
        return False
    wanted = quotes.comparable_lines(code)
    return len(wanted) == 1 and quotes.contains(
        quotes.comparable_lines('\n'.join(s.test_lines)), wanted)


def header_removal_rule(s):
    """"Line 55: ... Please drop the assertion": the header's lines go.

    A removal that names no code ("drop it", "this check can go", "bitte
    entfernen") in a paragraph opened by a gerrit comment header removes
    the lines of the header, numbered as the version the review read.
    """
    if s.changes or s.header is None:
        return
    english = lexicon.DEICTIC_REMOVE_RE.search(s.masked)
    if english and lexicon.NEGATED_REMOVE_RE.search(
            s.masked[:english.end()]):
        # ("I'd remove it and keep `f`": what follows is another clause.)
        return
    if not english and (
            re.search(prose.PH, s.masked) or
            words.removal_asked(s.masked, passive=True) != words.FOREIGN):
        return
    first, end = s.header
    # A commented line that opens a statement over several lines takes
    # the statement whole, as the comment's reader sees it.
    for line in _whole_statements(
            s.test_lines, [s.our_line(n) for n in range(first, end + 1)]):
        s.changes.append(model.change(
            kind=model.REMOVE, span=s.span, line=line,
            summary='remove line %d (the comment on line(s) %d-%d)'
            % (line, first, end)))
